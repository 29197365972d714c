using System.Text;
using System.Text.RegularExpressions;

namespace HilRig.Gherkin.Bindings;

/// <summary>One captured argument of a step match: its text as written and where it starts in the step text.</summary>
/// <param name="RawValue">The captured text as written (quotes included for <c>{string}</c>), null when the group did not take part.</param>
/// <param name="Value">The value handed to the method (quotes stripped and escapes resolved for <c>{string}</c>).</param>
/// <param name="Start">Offset in the step text, or -1.</param>
/// <param name="ParameterTypeName">The Cucumber parameter type (<c>int</c>, <c>string</c>, ...) or null for regex groups.</param>
public sealed record StepArgument(string? RawValue, string? Value, int Start, string? ParameterTypeName);

/// <summary>
/// A compiled step pattern: a Cucumber expression (<c>{int}</c>, <c>{float}</c>, <c>{string}</c>, <c>{word}</c>,
/// <c>{}</c>, optional text <c>(s)</c>, alternatives <c>a/b</c>, <c>\</c> escapes) or, when the source starts with
/// <c>^</c> or ends with <c>$</c>, a regular expression anchored at both ends.
/// </summary>
public sealed class StepPattern
{
    private static readonly Dictionary<string, string> ParameterRegexes = new(StringComparer.Ordinal)
    {
        ["int"] = @"(-?\d+)",
        ["float"] = @"(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)",
        ["word"] = @"([^\s]+)",
        ["string"] = @"(""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*')",
        [""] = "(.*)",
    };

    private readonly Regex _regex;
    private readonly IReadOnlyList<string?> _parameterTypes;

    private StepPattern(string source, bool isRegularExpression, Regex regex, IReadOnlyList<string?> parameterTypes)
    {
        Source = source;
        IsRegularExpression = isRegularExpression;
        _regex = regex;
        _parameterTypes = parameterTypes;
    }

    /// <summary>The pattern as written in the attribute.</summary>
    public string Source { get; }

    /// <summary>True for a regular expression, false for a Cucumber expression.</summary>
    public bool IsRegularExpression { get; }

    /// <summary>The number of arguments a match produces.</summary>
    public int ParameterCount => _parameterTypes.Count;

    /// <summary>Compiles a pattern; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static StepPattern Compile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.StartsWith('^') || source.EndsWith('$'))
        {
            var anchored = (source.StartsWith('^') ? "" : "^") + source + (source.EndsWith('$') ? "" : "$");
            Regex regex;
            try
            {
                regex = new Regex(anchored, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException exception)
            {
                throw new FormatException($"Invalid regular expression '{source}': {exception.Message}", exception);
            }

            var groups = regex.GetGroupNumbers().Where(n => n > 0).Select(_ => (string?)null).ToList();
            return new StepPattern(source, true, regex, groups);
        }

        var types = new List<string?>();
        var pattern = "^" + TranslateCucumberExpression(source, types) + "$";
        return new StepPattern(source, false, new Regex(pattern, RegexOptions.CultureInvariant), types);
    }

    /// <summary>Matches the whole step text; returns null when it does not match.</summary>
    public IReadOnlyList<StepArgument>? Match(string stepText)
    {
        var match = _regex.Match(stepText);
        if (!match.Success)
        {
            return null;
        }

        var arguments = new List<StepArgument>(_parameterTypes.Count);
        var groupNumbers = _regex.GetGroupNumbers().Where(n => n > 0).ToArray();
        for (var i = 0; i < _parameterTypes.Count; i++)
        {
            var group = match.Groups[groupNumbers[i]];
            var raw = group.Success ? group.Value : null;
            var value = raw is not null && _parameterTypes[i] == "string" ? Unquote(raw) : raw;
            arguments.Add(new StepArgument(raw, value, group.Success ? group.Index : -1, _parameterTypes[i]));
        }

        return arguments;
    }

    private static string Unquote(string quoted)
    {
        var inner = quoted[1..^1];
        var quote = quoted[0];
        return inner.Replace("\\" + quote, quote.ToString(), StringComparison.Ordinal)
            .Replace(@"\\", @"\", StringComparison.Ordinal);
    }

    private static string TranslateCucumberExpression(string source, List<string?> types)
    {
        var output = new StringBuilder();
        var alternatives = new List<string>();
        var current = new StringBuilder();

        void FlushWord()
        {
            if (alternatives.Count > 0)
            {
                alternatives.Add(current.ToString());
                output.Append("(?:").Append(string.Join('|', alternatives)).Append(')');
                alternatives.Clear();
            }
            else
            {
                output.Append(current);
            }

            current.Clear();
        }

        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            switch (c)
            {
                case '\\' when i + 1 < source.Length:
                    current.Append(Regex.Escape(source[++i].ToString()));
                    break;
                case '{':
                    var close = source.IndexOf('}', i);
                    if (close < 0)
                    {
                        throw new FormatException($"Cucumber expression '{source}' has a '{{' at column {i + 1} without a closing '}}'.");
                    }

                    var name = source[(i + 1)..close];
                    if (!ParameterRegexes.TryGetValue(name, out var parameterRegex))
                    {
                        throw new FormatException(
                            $"Cucumber expression '{source}' uses the undefined parameter type {{{name}}}; known types are {{int}}, {{float}}, {{string}}, {{word}} and {{}}.");
                    }

                    current.Append(parameterRegex);
                    types.Add(name);
                    i = close;
                    break;
                case '(':
                    var optional = new StringBuilder();
                    var j = i + 1;
                    for (; j < source.Length && source[j] != ')'; j++)
                    {
                        if (source[j] == '\\' && j + 1 < source.Length)
                        {
                            j++;
                        }

                        optional.Append(Regex.Escape(source[j].ToString()));
                    }

                    if (j >= source.Length)
                    {
                        throw new FormatException($"Cucumber expression '{source}' has a '(' at column {i + 1} without a closing ')'; write '\\(' for a literal parenthesis.");
                    }

                    current.Append("(?:").Append(optional).Append(")?");
                    i = j;
                    break;
                case '/':
                    alternatives.Add(current.ToString());
                    current.Clear();
                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        FlushWord();
                        output.Append(Regex.Escape(c.ToString()));
                    }
                    else
                    {
                        current.Append(Regex.Escape(c.ToString()));
                    }

                    break;
            }
        }

        FlushWord();
        return output.ToString();
    }
}
