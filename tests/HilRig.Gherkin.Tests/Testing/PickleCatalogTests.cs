using HilRig.Gherkin.Testing;

namespace HilRig.Gherkin.Tests.Testing;

public sealed class PickleCatalogTests
{
    [Fact]
    public void TheoryRows_GivesOneRowPerPickleWithDisplayName_When_DirectoryHasFeatures()
    {
        var rows = PickleCatalog.TheoryRows("Features/Passing").ToList();

        Assert.Equal(13, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Data).Distinct().Count());
        var outlineRow = Assert.Single(rows, r => r.Data == "Features/Passing/outline.feature:19");
        Assert.Equal("Outline with background: Cut power at 95% of the transfer [percent=95, image=B] [Features/Passing/outline.feature:19]", outlineRow.TestDisplayName);
        Assert.Contains("late", outlineRow.Traits["Category"]);
    }

    [Fact]
    public void TheoryRows_GivesFailingRow_When_FileDoesNotParse()
    {
        var row = Assert.Single(PickleCatalog.TheoryRows("Features/Broken"));

        Assert.Equal("Features/Broken/bad.feature:0", row.Data);
        Assert.StartsWith("Feature file does not parse: Features/Broken/bad.feature:4:3", row.TestDisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_FiltersByTags_When_TagExpressionIsGiven()
    {
        var pickles = PickleCatalog.Discover("Features/Passing", "@fast and not @hardware");

        Assert.Equal("Features/Passing/tagged.feature:5", Assert.Single(pickles).Id);
    }
}
