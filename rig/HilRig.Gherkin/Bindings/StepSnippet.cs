using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Bindings;

/// <summary>Writes a C# step definition skeleton for an undefined step, using Cucumber expressions.</summary>
public static partial class StepSnippet
{
    /// <summary>Creates a snippet such as <c>[Given(@"the chip {int} is on")] public void GivenTheChipIsOn(int p0) ...</c>.</summary>
    public static string Create(PickleStepType stepType, string stepText, bool hasDataTable, bool hasDocString)
    {
        ArgumentNullException.ThrowIfNull(stepText);
        var keyword = stepType switch
        {
            PickleStepType.ACTION => "When",
            PickleStepType.OUTCOME => "Then",
            _ => "Given",
        };

        var expression = new StringBuilder();
        var parameters = new List<string>();
        var name = new StringBuilder(keyword);
        var position = 0;
        foreach (Match match in ParameterLike().Matches(stepText))
        {
            AppendLiteral(stepText[position..match.Index], expression, name);
            var (type, csharpType) = match.Value[0] is '"' or '\''
                ? ("string", "string")
                : match.Value.Contains('.', StringComparison.Ordinal) ? ("float", "double") : ("int", "int");
            expression.Append('{').Append(type).Append('}');
            parameters.Add($"{csharpType} p{parameters.Count.ToString(CultureInfo.InvariantCulture)}");
            position = match.Index + match.Length;
        }

        AppendLiteral(stepText[position..], expression, name);
        if (hasDataTable)
        {
            parameters.Add("DataTable table");
        }

        if (hasDocString)
        {
            parameters.Add("string docString");
        }

        var pattern = expression.ToString().Replace("\"", "\"\"", StringComparison.Ordinal);
        return $"[{keyword}(@\"{pattern}\")]{Environment.NewLine}"
            + $"public void {name}({string.Join(", ", parameters)}){Environment.NewLine}"
            + $"{{{Environment.NewLine}    throw new PendingStepException();{Environment.NewLine}}}";
    }

    private static void AppendLiteral(string literal, StringBuilder expression, StringBuilder name)
    {
        foreach (var c in literal)
        {
            if (c is '(' or ')' or '{' or '}' or '/' or '\\')
            {
                expression.Append('\\');
            }

            expression.Append(c);
        }

        foreach (var word in NonWord().Split(literal).Where(w => w.Length > 0))
        {
            name.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }
    }

    [GeneratedRegex(@"""[^""]*""|'[^']*'|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")]
    private static partial Regex ParameterLike();

    [GeneratedRegex(@"[^\p{L}\p{Nd}]+")]
    private static partial Regex NonWord();
}
