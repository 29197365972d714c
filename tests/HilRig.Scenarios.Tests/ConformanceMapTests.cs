namespace HilRig.Scenarios.Tests;

/// <summary>
/// docs/protocol.md §12 maps every MUST of the chip checklist to the scenarios that check it: every MUST has a row
/// with at least one scenario, and every scenario named there exists in the catalogue.
/// </summary>
public sealed class ConformanceMapTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(ScenarioRunners.Root, "docs", "protocol.md"));

    internal static IReadOnlyList<string> Musts()
    {
        var start = Page.IndexOf("A chip implementation MUST:", StringComparison.Ordinal);
        var end = Page.IndexOf("Where the catalogue checks each MUST above", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/protocol.md §12 lost its MUST list or the map after it");
        return Page[start..end].Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
    }

    private static IReadOnlyList<(int Number, string[] Scenarios)> Rows()
    {
        var start = Page.IndexOf("<!-- must-map:start -->", StringComparison.Ordinal);
        var end = Page.IndexOf("<!-- must-map:end -->", StringComparison.Ordinal);
        return Page[start..end].Split('\n')
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length == 5 && int.TryParse(cells[1], out _))
            .Select(cells => (int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture),
                cells[3].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
    }

    [Fact]
    public void Every_Must_Has_A_Row_With_A_Scenario()
    {
        var rows = Rows();
        Assert.Equal(Enumerable.Range(1, Musts().Count), rows.Select(r => r.Number));
        Assert.All(rows, r => Assert.True(r.Scenarios.Length > 0, $"MUST {r.Number} of docs/protocol.md §12 has no scenario"));
    }

    [Fact]
    public void Every_Scenario_Named_In_The_Map_Exists()
    {
        var features = Directory.EnumerateFiles(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), "*.feature", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllText);
        var missing = new List<string>();
        foreach (var (number, scenarios) in Rows())
        {
            foreach (var entry in scenarios)
            {
                var parts = entry.Split(": ", 2);
                var found = parts.Length == 2 && features.TryGetValue(parts[0], out var text)
                    && (text.Contains($"Scenario: {parts[1]}\n", StringComparison.Ordinal) || text.Contains($"Scenario Outline: {parts[1]}\n", StringComparison.Ordinal));
                if (!found) missing.Add($"MUST {number}: {entry}");
            }
        }
        Assert.True(missing.Count == 0, "docs/protocol.md §12 names scenarios the catalogue does not have:" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }
}
