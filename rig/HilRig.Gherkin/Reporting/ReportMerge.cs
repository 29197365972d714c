namespace HilRig.Gherkin.Reporting;

/// <summary>What <see cref="ReportMerge.Merge"/> wrote.</summary>
/// <param name="Runs">How many runs went in.</param>
/// <param name="Scenarios">Every finished scenario of the merged report.</param>
/// <param name="FailedRuns">The runs that failed or were cut short, each as <c>label: why</c>; empty when the merged run passed.</param>
/// <param name="Warnings">Lines that were left out (not JSON: a run killed in the middle of a line), each naming file and line.</param>
public sealed record MergeOutcome(int Runs, IReadOnlyList<ScenarioResult> Scenarios, IReadOnlyList<string> FailedRuns, IReadOnlyList<string> Warnings);

/// <summary>
/// The reports of several runs of one checkout (the shards of a farm, <c>hilrig run --shard i/n</c>) merged into one
/// directory as one run's: <c>cucumber-messages.ndjson</c> (<see cref="CucumberMessagesMerge"/>), <c>junit.xml</c>
/// (<see cref="JUnitReportMerge"/>, from the runs that wrote one) and <c>report.html</c>. Each run is labelled by its
/// directory's name, which the merged report gives as the worker of each of its scenarios.
/// </summary>
public static class ReportMerge
{
    /// <summary>
    /// Merges the report directories <paramref name="runs"/> into <paramref name="outDir"/>. Throws
    /// <see cref="GherkinException"/> naming the file when two runs parsed different texts of one feature, and
    /// <see cref="IOException"/> when a file cannot be read or written.
    /// </summary>
    public static MergeOutcome Merge(IReadOnlyList<string> runs, string outDir)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(outDir);
        if (runs.Count == 0) throw new ArgumentException("no run to merge", nameof(runs));
        var labelled = runs.Select(r => (Label: Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))), Directory: r)).ToList();
        var ndjson = Path.Combine(outDir, "cucumber-messages.ndjson");
        var messages = CucumberMessagesMerge.MergeFiles(labelled.Select(r => (r.Label, Path.Combine(r.Directory, "cucumber-messages.ndjson"))), ndjson);
        var junit = labelled.Select(r => (r.Label, Path: Path.Combine(r.Directory, "junit.xml"))).Where(r => File.Exists(r.Path)).ToList();
        if (junit.Count > 0) JUnitReportMerge.MergeFiles(junit, Path.Combine(outDir, "junit.xml"));
        var html = CucumberHtmlReport.Write(ndjson, Path.Combine(outDir, "report.html"));
        var warnings = messages.Warnings.Concat(html.SkippedLines.Select(s => $"{ndjson} {s}")).ToList();
        return new MergeOutcome(runs.Count, CucumberResults.ReadAll(ndjson), messages.FailedRuns, warnings);
    }
}
