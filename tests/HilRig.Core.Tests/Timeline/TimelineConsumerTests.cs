using System.Text.RegularExpressions;
using HilRig.Core.Timeline;
using Xunit;

namespace HilRig.Core.Tests.Timeline;

/// <summary>
/// Timeline events are typed records (frame facts, chip records, power, mode snapshots): the code that reads
/// them back (the picture, the live page, the verification, the scenarios' mode watcher) never runs a regular
/// expression over event text. This test fails naming every file that does.
/// </summary>
public sealed class TimelineConsumerTests
{
    /// <summary>The consumers, as folders (every .cs file in them) or single files, relative to the repository root.</summary>
    public static readonly string[] Consumers =
    [
        "rig/HilRig.Core/Timeline",
        "rig/HilRig.Core/Verification",
        "rig/HilRig.Service/Live",
        "scenarios/HilRig.Scenarios/Drivers/ModeWatcher.cs",
    ];

    [Fact]
    public void Consumers_HoldNoRegularExpression_When_ReadingTimelineEvents()
    {
        var root = HilRig.Scenarios.Support.RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);
        var files = Consumers.SelectMany(c =>
        {
            var path = Path.Combine(root, c);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{c}: a timeline consumer listed here no longer exists; update the list");
            return Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories) : [path];
        }).ToList();

        var offenders = files
            .SelectMany(f => File.ReadLines(f).Select((text, index) => (File: Path.GetRelativePath(root, f), Line: index + 1, Text: text)))
            .Where(l => l.Text.Contains("Regex", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0,
            "timeline consumers must read the typed fields of TimelineEvent, not match event text:\n" + string.Join('\n', offenders));
        Assert.True(files.Count >= 10, $"only {files.Count} consumer file(s) found under {root}");
    }

    [Fact]
    public void Producers_WriteOnlyListedKinds_When_TheyNameAKindLiterally()
    {
        var root = HilRig.Scenarios.Support.RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);
        // Timeline.Add(source, "kind", ...) and the servers' sink(source, "kind", ...): the kind is the second argument.
        var call = new Regex(@"(?:\.Add|\.AddFrame|[sS]ink)\(\s*[^,()]+,\s*""([a-z][a-z-]*)""", RegexOptions.CultureInvariant);
        var unlisted = new[] { "rig", "scenarios" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((text, index) => (File: Path.GetRelativePath(root, f), Line: index + 1, Text: text)))
            .SelectMany(l => call.Matches(l.Text).Select(m => (l.File, l.Line, Kind: m.Groups[1].Value)))
            .Where(k => !TimelineKind.All.Contains(k.Kind))
            .Select(k => $"{k.File}:{k.Line}: kind \"{k.Kind}\"")
            .ToList();

        Assert.True(unlisted.Count == 0, "timeline kinds not in TimelineKind (rig/HilRig.Core/Timeline/TimelineFacts.cs):\n" + string.Join('\n', unlisted));
    }
}
