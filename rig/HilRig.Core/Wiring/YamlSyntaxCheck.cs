using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HilRig.Core.Wiring;

/// <summary>
/// Runs the YAML parser over the text once, before the document is loaded, to report syntax
/// errors with their position. YamlDotNet 18.1 throws a bare InvalidOperationException (no
/// position) when a flow collection such as <c>{ kind: virtual</c> is left open across lines, so
/// the open flow collections are tracked and the unclosed one is reported instead.
/// </summary>
internal static partial class YamlSyntaxCheck
{
    public static bool Passes(string yamlText, WiringErrorList errors)
    {
        var parser = new Parser(new StringReader(yamlText));
        var open = new Stack<(Mark Start, string Opening, string Closing)?>();
        var lastEnd = new Mark(0, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                lastEnd = current.End;
                switch (current)
                {
                    case MappingStart mapping:
                        open.Push(mapping.Style == MappingStyle.Flow ? (mapping.Start, "{", "}") : null);
                        break;
                    case SequenceStart sequence:
                        open.Push(sequence.Style == SequenceStyle.Flow ? (sequence.Start, "[", "]") : null);
                        break;
                    case MappingEnd or SequenceEnd when open.Count > 0:
                        open.Pop();
                        break;
                }
            }

            return true;
        }
        catch (YamlException e)
        {
            errors.Add(e.Start, $"YAML syntax error: {WithoutPosition(e)}");
        }
        catch (InvalidOperationException)
        {
            if (open.FirstOrDefault(o => o is not null) is { } flow)
            {
                errors.Add(flow.Start, $"YAML syntax error: this '{flow.Opening}' is not closed with '{flow.Closing}'");
            }
            else
            {
                errors.Add(lastEnd, "YAML syntax error: the text after this point cannot be parsed");
            }
        }

        return false;
    }

    /// <summary>The message without YamlDotNet's "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): " prefix; the error carries the position.</summary>
    public static string WithoutPosition(YamlException e) =>
        PositionPrefix().Replace(e.InnerException is YamlException inner ? inner.Message : e.Message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
