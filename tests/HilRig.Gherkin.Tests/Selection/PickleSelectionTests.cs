using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Tests.Selection;

public sealed class PickleSelectionTests
{
    private static ResolvedSelection Resolve(string? tags, params string[] paths) =>
        PickleSelection.Of(paths, tags).Resolve(AppContext.BaseDirectory);

    [Fact]
    public void Resolve_FindsFeaturesRecursively_When_PathIsDirectory()
    {
        var resolved = Resolve(null, "Features/Passing");

        Assert.Empty(resolved.Errors);
        Assert.Equal(6, resolved.Features.Count);
        Assert.Contains(resolved.Pickles, p => p.Id == "Features/Passing/tables.feature:3");
    }

    [Theory]
    [InlineData("Features/Passing/outline.feature:14", new[] { 14 })]
    [InlineData("Features/Passing/outline.feature:7", new[] { 13, 14, 19 })]
    [InlineData("Features/Passing/outline.feature:9", new[] { 13, 14, 19 })]
    [InlineData("Features/Passing/outline.feature:17", new[] { 19 })]
    [InlineData("Features/Passing/outline.feature:22", new[] { 21 })]
    [InlineData("Features/Passing/outline.feature:13:21", new[] { 13, 21 })]
    public void Resolve_SelectsPicklesByLine_When_PathHasLineSuffix(string path, int[] expectedLines)
    {
        var resolved = Resolve(null, path);

        Assert.Empty(resolved.Errors);
        Assert.Equal(expectedLines, resolved.Pickles.Select(p => p.Line));
    }

    [Theory]
    [InlineData("Features/Passing/outline.feature:4", "the line is not inside a scenario, an Examples block, a Rule or the Feature line; scenarios start at lines 7, 21 (nearest: Features/Passing/outline.feature:7).")]
    [InlineData("Features/Passing/outline.feature:5", "the line is not inside a scenario, an Examples block, a Rule or the Feature line; scenarios start at lines 7, 21 (nearest: Features/Passing/outline.feature:7).")]
    [InlineData("Features/Passing/outline.feature:23", "the file has 22 lines, so no scenario is there; scenarios start at lines 7, 21 (nearest: Features/Passing/outline.feature:21).")]
    [InlineData("Features/Passing/outline.feature:99999", "the file has 22 lines, so no scenario is there; scenarios start at lines 7, 21 (nearest: Features/Passing/outline.feature:21).")]
    [InlineData("Features/Passing/outline.feature:0", "the file has 22 lines, so no scenario is there; scenarios start at lines 7, 21 (nearest: Features/Passing/outline.feature:7).")]
    public void Resolve_ReportsFileLineAndTheScenarioLines_When_NoScenarioIsAtTheLine(string path, string reason)
    {
        var resolved = Resolve(null, path);

        Assert.Empty(resolved.Pickles);
        Assert.Equal($"{path}: {reason}", Assert.Single(resolved.Errors));
    }

    [Fact]
    public void Resolve_ReportsAnError_NotACrash_When_TheLineNumberOverflows()
    {
        var resolved = Resolve(null, "Features/Passing/outline.feature:99999999999999999999");

        Assert.Empty(resolved.Pickles);
        Assert.Contains("the file has 22 lines, so no scenario is there", Assert.Single(resolved.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Resolve_SelectsEveryScenario_When_TheLineIsTheFeatureLineOrItsTags(int line)
    {
        var resolved = Resolve(null, $"Features/Passing/outline.feature:{line}");

        Assert.Empty(resolved.Errors);
        Assert.Equal([13, 14, 19, 21], resolved.Pickles.Select(p => p.Line));
    }

    [Theory]
    [InlineData(3, new[] { 5, 7 })]
    [InlineData(4, new[] { 5, 7 })]
    [InlineData(7, new[] { 7 })]
    [InlineData(10, new[] { 11 })]
    public void Resolve_SelectsTheRulesScenarios_When_TheLineIsARuleLine(int line, int[] expected)
    {
        var directory = Directory.CreateTempSubdirectory("hilrig-rule-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "rules.feature"), """
                Feature: Rules

                  @first
                  Rule: one
                    Scenario: a
                      Given x
                    Scenario: b
                      Given x

                  Rule: two
                    Scenario: c
                      Given x
                """);

            var resolved = PickleSelection.Of([$"rules.feature:{line}"]).Resolve(directory.FullName);

            Assert.Empty(resolved.Errors);
            Assert.Equal(expected, resolved.Pickles.Select(p => p.Line));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("@fast", new[] { "Fast on sim", "Fast on hardware" })]
    [InlineData("@sim and not (@slow or @hardware)", new[] { "Fast on sim" })]
    [InlineData("not @fast", new[] { "Slow on sim" })]
    public void Resolve_FiltersByTags_When_TagExpressionIsGiven(string tags, string[] expected)
    {
        var resolved = Resolve(tags, "Features/Passing/tagged.feature");

        Assert.Equal(expected, resolved.Pickles.Select(p => p.Name));
    }

    [Fact]
    public void Resolve_Throws_When_TagExpressionIsInvalid()
    {
        var error = Assert.Throws<GherkinException>(() => Resolve("@fast and or @slow", "Features/Passing"));

        Assert.Equal("Tag expression '@fast and or @slow' is invalid: at column 11 expected a tag such as @sim, 'not' or '(' but found 'or'.", error.Message);
    }

    [Fact]
    public void Resolve_CollectsErrors_When_PathIsMissingOrFileDoesNotParse()
    {
        var resolved = Resolve(null, "Features/Broken", "Features/Missing");

        Assert.Equal(2, resolved.Errors.Count);
        Assert.StartsWith("Features/Broken/bad.feature:4:3:", resolved.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Features/Missing: no such feature file or directory", resolved.Errors[1], StringComparison.Ordinal);
    }
}
