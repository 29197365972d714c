using HilRig.Gherkin.Features;
using HilRig.Gherkin.Selection;
using Xunit;

namespace HilRig.Gherkin.Testing;

/// <summary>
/// Lists pickles as xunit v3 theory rows, one test case per pickle at discovery (the data is a plain string id,
/// which xunit serializes). Use from a test project:
/// <code>
/// public static IEnumerable&lt;TheoryDataRow&lt;string&gt;&gt; Pickles() =&gt; PickleCatalog.TheoryRows("Features");
///
/// [Theory, MemberData(nameof(Pickles))]
/// public async Task Scenario_Passes_When_Run(string pickleId)
/// {
///     var result = await runner.RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
///     Assert.True(result.Passed, result.Describe());
/// }
/// </code>
/// with the runner built on <c>new RunOptions { BaseDirectory = AppContext.BaseDirectory }</c> so ids resolve.
/// </summary>
public static class PickleCatalog
{
    /// <summary>
    /// The pickles under <paramref name="featuresPath"/> (a directory searched recursively, or one file), with ids
    /// relative to <paramref name="baseDirectory"/> (default <see cref="AppContext.BaseDirectory"/>, where test
    /// projects copy their features). A file that does not parse yields no pickles here; see <see cref="TheoryRows"/>.
    /// </summary>
    public static IReadOnlyList<PickleInfo> Discover(string featuresPath, string? tagExpression = null, string? baseDirectory = null)
    {
        var root = baseDirectory ?? AppContext.BaseDirectory;
        var tags = TagExpression.Parse(tagExpression);
        return FeatureFiles(featuresPath, root)
            .Select(file => FeatureLoader.TryLoad(file, root, out var feature, out _) ? feature!.Pickles : [])
            .SelectMany(p => p)
            .Where(p => tags.Matches(p.Tags))
            .ToList();
    }

    /// <summary>
    /// One row per pickle: the data is the pickle id, the display name <c>Feature: Scenario [x=1] [path.feature:LINE]</c>,
    /// and each tag a <c>Category</c> trait (without <c>@</c>). A file that does not parse yields one row with id
    /// <c>path.feature:0</c>, so running it fails with the parse error instead of the file silently vanishing.
    /// </summary>
    public static IEnumerable<TheoryDataRow<string>> TheoryRows(string featuresPath, string? tagExpression = null, string? baseDirectory = null)
    {
        var root = baseDirectory ?? AppContext.BaseDirectory;
        var tags = TagExpression.Parse(tagExpression);
        foreach (var file in FeatureFiles(featuresPath, root))
        {
            if (!FeatureLoader.TryLoad(file, root, out var feature, out var error))
            {
                var uri = FeatureLoader.ToUri(file, root);
                yield return new TheoryDataRow<string>(PickleInfo.FormatId(uri, 0))
                    .WithTestDisplayName($"Feature file does not parse: {error.Split('\n')[0].Trim()}");
                continue;
            }

            foreach (var pickle in feature!.Pickles.Where(p => tags.Matches(p.Tags)))
            {
                var row = new TheoryDataRow<string>(pickle.Id).WithTestDisplayName(pickle.DisplayName);
                foreach (var tag in pickle.Tags)
                {
                    row = row.WithTrait("Category", tag.TrimStart('@'));
                }

                yield return row;
            }
        }
    }

    private static IEnumerable<string> FeatureFiles(string featuresPath, string root)
    {
        ArgumentNullException.ThrowIfNull(featuresPath);
        var fullPath = Path.GetFullPath(featuresPath, root);
        if (File.Exists(fullPath))
        {
            return [fullPath];
        }

        if (!Directory.Exists(fullPath))
        {
            throw new GherkinException($"{featuresPath}: no such feature file or directory (looked in {root}).");
        }

        return Directory.EnumerateFiles(fullPath, "*.feature", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
    }
}
