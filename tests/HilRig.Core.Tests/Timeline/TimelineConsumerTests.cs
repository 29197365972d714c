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
}
