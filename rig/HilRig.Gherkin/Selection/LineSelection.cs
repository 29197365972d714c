using System.Globalization;
using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Selection;

/// <summary>
/// What a <c>file.feature:LINE</c> selects, as Cucumber reads it: the feature line (or its tag lines) selects every
/// scenario of the file, a <c>Rule:</c> line every scenario of the rule, a line inside a scenario or an Examples block
/// that scenario or block, an Examples row its pickle. Any other line (past the end of the file, in the feature's
/// description, a Background) is an error naming the file, the line and the scenario lines the file has.
/// </summary>
internal static class LineSelection
{
    /// <summary>How many scenario lines an error lists, nearest first, before it says "…".</summary>
    private const int LinesListed = 12;

    public static IReadOnlyList<PickleInfo> Select(FeatureFile feature, int line, out string? error)
    {
        error = null;
        var lineCount = CountLines(feature.Source);
        if (line < 1 || line > lineCount)
        {
            error = $"{Where(feature, line)}: the file has {lineCount.ToString(CultureInfo.InvariantCulture)} lines, so no scenario is there; {ScenarioLines(feature, line)}.";
            return [];
        }
        if (feature.Document.Feature is { } header && line >= StartLine(header.Location.Line, header.Tags) && line <= header.Location.Line)
        {
            return feature.Pickles;
        }
        foreach (var child in feature.Document.Feature?.Children ?? [])
        {
            if (child.Rule is { } rule && line >= StartLine(rule.Location.Line, rule.Tags) && line <= rule.Location.Line)
            {
                var ids = rule.Children.Where(c => c.Scenario is not null).Select(c => c.Scenario.Id).ToHashSet(StringComparer.Ordinal);
                return feature.Pickles.Where(p => ids.Contains(p.Pickle.AstNodeIds[0])).ToList();
            }
        }
        var atLine = feature.PicklesAtLine(line);
        if (atLine.Count == 0)
        {
            error = $"{Where(feature, line)}: the line is not inside a scenario, an Examples block, a Rule or the Feature line; {ScenarioLines(feature, line)}.";
        }
        return atLine;
    }

    private static string Where(FeatureFile feature, int line) => $"{feature.Uri}:{line.ToString(CultureInfo.InvariantCulture)}";

    private static string ScenarioLines(FeatureFile feature, int line)
    {
        var lines = feature.Pickles.Select(p => p.ScenarioLine).Distinct().Order().ToList();
        if (lines.Count == 0)
        {
            return "the file has no scenario";
        }
        var nearest = lines.MinBy(l => Math.Abs((long)l - line));
        var listed = lines.Count <= LinesListed ? lines
            : lines.OrderBy(l => Math.Abs((long)l - line)).Take(LinesListed).Order().ToList();
        var list = string.Join(", ", listed.Select(l => l.ToString(CultureInfo.InvariantCulture))) + (listed.Count < lines.Count ? ", …" : "");
        return $"scenarios start at lines {list} (nearest: {feature.Uri}:{nearest.ToString(CultureInfo.InvariantCulture)})";
    }

    private static int StartLine(long keywordLine, IEnumerable<Io.Cucumber.Messages.Types.Tag> tags) =>
        (int)tags.Select(t => t.Location.Line).Append(keywordLine).Min();

    /// <summary>Lines as an editor numbers them: a final newline does not start another line.</summary>
    private static int CountLines(string source)
    {
        if (source.Length == 0)
        {
            return 0;
        }
        var count = 1;
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n' && i < source.Length - 1)
            {
                count++;
            }
        }
        return count;
    }
}
