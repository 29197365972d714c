using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Selection;

/// <summary>
/// What to run: feature files or directories (searched recursively for <c>*.feature</c>), optionally with
/// <c>:LINE</c> suffixes (<c>chips.feature:12:30</c>, read as <see cref="LineSelection"/> says), filtered by a tag
/// expression.
/// </summary>
public sealed partial class PickleSelection
{
    /// <summary>Files, directories or <c>file.feature:LINE[:LINE...]</c>, relative to the base directory or absolute.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>A Cucumber tag expression such as <c>@sim and not (@slow or @nightly)</c>; null or empty runs all.</summary>
    public string? TagExpression { get; init; }

    /// <summary>When set, only this shard's share of the selected pickles (<c>hilrig run --shard i/n</c>).</summary>
    public ShardPlan? Shard { get; init; }

    /// <summary>Selects the given paths, optionally filtered by tags.</summary>
    public static PickleSelection Of(IEnumerable<string> paths, string? tagExpression = null) =>
        new() { Paths = paths.ToList(), TagExpression = tagExpression };

    /// <summary>
    /// Finds and parses the files and picks the pickles. A bad tag expression throws <see cref="GherkinException"/>;
    /// missing paths, parse errors and lines outside every scenario are collected in <see cref="ResolvedSelection.Errors"/>.
    /// </summary>
    public ResolvedSelection Resolve(string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var tags = Selection.TagExpression.Parse(TagExpression);
        var errors = new List<string>();
        var named = new List<string>();
        var features = new List<FeatureFile>();
        var byPath = new Dictionary<string, FeatureFile>(StringComparer.Ordinal);
        var pickles = new List<PickleInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var argument in Paths)
        {
            var (path, lines) = SplitLines(argument);
            var fullPath = Path.GetFullPath(path, baseDirectory);
            IEnumerable<string> files;
            if (Directory.Exists(fullPath))
            {
                files = Directory.EnumerateFiles(fullPath, "*.feature", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
            }
            else if (File.Exists(fullPath))
            {
                files = [fullPath];
            }
            else
            {
                errors.Add($"{argument}: no such feature file or directory (looked in {baseDirectory}).");
                named.Add(errors[^1]);
                continue;
            }

            foreach (var file in files)
            {
                if (!byPath.TryGetValue(file, out var feature))
                {
                    if (!FeatureLoader.TryLoad(file, baseDirectory, out feature, out var error))
                    {
                        errors.Add(error);
                        // A file named on its own is the user's whole request; one found in a folder is one of many.
                        if (!Directory.Exists(fullPath)) named.Add(error);
                        continue;
                    }

                    byPath[file] = feature!;
                    features.Add(feature!);
                }

                var before = errors.Count;
                var candidates = lines.Count == 0 ? feature!.Pickles : SelectLines(feature!, lines, errors);
                named.AddRange(errors.Skip(before));
                pickles.AddRange(candidates.Where(p => tags.Matches(p.Tags) && seen.Add(p.Id)));
            }
        }

        var unsharded = pickles.Count;
        if (Shard is { } shard)
        {
            pickles = shard.Select(pickles).ToList();
        }

        return new ResolvedSelection(features.Where(f => pickles.Any(p => p.Feature == f)).ToList(), pickles, errors)
        {
            NamedErrors = named,
            Unsharded = unsharded,
        };
    }

    private static List<PickleInfo> SelectLines(FeatureFile feature, IReadOnlyList<int> lines, List<string> errors)
    {
        var selected = new List<PickleInfo>();
        foreach (var line in lines)
        {
            selected.AddRange(LineSelection.Select(feature, line, out var error));
            if (error is not null)
            {
                errors.Add(error);
            }
        }

        return selected;
    }

    private static (string Path, IReadOnlyList<int> Lines) SplitLines(string argument)
    {
        var match = LineSuffix().Match(argument);
        if (!match.Success)
        {
            return (argument, []);
        }

        // A number too big for an int is a line no file has: int.MaxValue keeps it an error naming the file, not a crash.
        var lines = match.Groups["lines"].Value.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue).ToList();
        return (match.Groups["path"].Value, lines);
    }

    [GeneratedRegex(@"^(?<path>.+\.feature)(?<lines>(?::\d+)+)$", RegexOptions.IgnoreCase)]
    private static partial Regex LineSuffix();
}

/// <summary>The outcome of resolving a <see cref="PickleSelection"/>.</summary>
/// <param name="Features">The parsed features that have at least one selected pickle, in selection order.</param>
/// <param name="Pickles">The selected pickles, in run order.</param>
/// <param name="Errors">One clear message per missing path, unparsable file or line outside every scenario.</param>
public sealed record ResolvedSelection(
    IReadOnlyList<FeatureFile> Features,
    IReadOnlyList<PickleInfo> Pickles,
    IReadOnlyList<string> Errors)
{
    /// <summary>
    /// The errors in what the user named: a missing path, a named file that does not parse, a line with no scenario.
    /// A file that does not parse inside a named folder is in <see cref="Errors"/> only: the folder's other
    /// features still run and the run reports it.
    /// </summary>
    public IReadOnlyList<string> NamedErrors { get; init; } = [];

    /// <summary>How many pickles the paths and tags selected before a shard kept its share.</summary>
    public int Unsharded { get; init; }
}
