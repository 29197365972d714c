using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Tests.Features;

public sealed class FeatureLoaderTests
{
    [Fact]
    public void TryLoad_NamesFileLineAndColumn_When_FileDoesNotParse()
    {
        var loaded = FeatureLoader.TryLoad("Features/Broken/bad.feature", AppContext.BaseDirectory, out var feature, out var error);

        Assert.False(loaded);
        Assert.Null(feature);
        Assert.StartsWith("Features/Broken/bad.feature:4:3: expected ", error, StringComparison.Ordinal);
        Assert.Contains("a step (Given/When/Then/And/But)", error, StringComparison.Ordinal);
        Assert.Contains("got 'this line is not gherkin'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_NamesTheRow_When_ADataTableRowHasNoCell()
    {
        var directory = Directory.CreateTempSubdirectory("hilrig-loader-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "lone-bar.feature"), "Feature: f\n  Scenario: s\n    Given a table:\n      |\n");

            var loaded = FeatureLoader.TryLoad("lone-bar.feature", directory.FullName, out var feature, out var error);

            Assert.False(loaded);
            Assert.Null(feature);
            Assert.Equal("lone-bar.feature:4:7: a data table row needs at least one cell ('| name |'), but got a lone '|'", error);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_ExpandsOutline_When_ExamplesHaveRows()
    {
        var feature = FeatureLoader.Load("Features/Passing/outline.feature", AppContext.BaseDirectory);

        Assert.Equal(
            ["Features/Passing/outline.feature:13", "Features/Passing/outline.feature:14", "Features/Passing/outline.feature:19", "Features/Passing/outline.feature:21"],
            feature.Pickles.Select(p => p.Id));
        Assert.Equal("Cut power at 40% of the transfer [percent=40, image=A]", feature.Pickles[1].NameWithExamples);
        Assert.Equal(["@outline", "@late"], feature.Pickles[2].Tags);
        Assert.Equal(7, feature.Pickles[2].ScenarioLine);
    }

    [Fact]
    public void Load_ThrowsGherkinException_When_FileIsMissing()
    {
        var error = Assert.Throws<GherkinException>(() => FeatureLoader.Load("Features/none.feature", AppContext.BaseDirectory));

        Assert.StartsWith("Features/none.feature: cannot read", error.Message, StringComparison.Ordinal);
    }
}
