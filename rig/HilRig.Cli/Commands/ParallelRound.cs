using System.Diagnostics;
using HilRig.Gherkin;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Scenarios.StepDefinitions;
using HilRig.Scenarios.Support;

namespace HilRig.Cli.Commands;

/// <summary>
/// One round of <c>hilrig run</c> on several benches at once: each bench runs the pickles it takes from one schedule
/// (longest first) with its own settings (wiring, artifacts) and writes its own reports as it goes, in
/// <c>OUT/benches/NAME/</c>; when all are done their reports are merged into <c>OUT/cucumber-messages.ndjson</c>,
/// <c>OUT/junit.xml</c> and <c>OUT/report.html</c>, and one summary is printed.
/// </summary>
internal static class ParallelRound
{
    /// <summary>Runs the round; its exit code (0 all passed, 1 a failure, 2 nothing ran) and its pickles.</summary>
    public static async Task<(int Code, IReadOnlyList<PickleResult> Pickles)> RunAsync(RigSettings round, IReadOnlyList<PoolBench> benches, string outDir,
        PickleSelection selection, int retries, IReadOnlyDictionary<string, TimeSpan> durations, CancellationToken token)
    {
        var root = round.RepositoryRoot;
        ResolvedSelection resolved;
        try
        {
            resolved = selection.Resolve(root);
        }
        catch (GherkinException ex)
        {
            await Console.Error.WriteLineAsync($"hilrig run: {ex.Message}");
            return (2, []);
        }
        // No more benches than scenarios: a bench with nothing to run would only start and stop its test run.
        benches = benches.Take(Math.Max(1, resolved.Pickles.Count)).ToList();
        var schedule = new PickleSchedule(resolved.Pickles, durations);
        var alone = schedule.Order.Count(PickleSchedule.RunsAlone);
        Console.WriteLine($"hilrig run: {benches.Count} benches ({string.Join(", ", benches.Select(b => $"{b.Name}: {Path.GetRelativePath(root, b.WiringPath)}").Distinct())}), "
            + $"seed {round.Seed}, {resolved.Pickles.Count} scenarios longest first ({durations.Count(d => resolved.Pickles.Any(p => p.Pickle.Id == d.Key))} timed by the last run"
            + $"{(alone > 0 ? $", {alone} tagged {PickleSchedule.AloneTag} run last, alone" : "")}), reports in {outDir}");
        var reports = new List<(PoolBench Bench, ReportFiles Files, RigSettings Settings)>();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<RunResult> results;
        try
        {
            foreach (var bench in benches)
            {
                var benchDir = Path.Combine(outDir, "benches", FolderName(bench.Name));
                var settings = round with { WiringPath = bench.WiringPath, ArtifactsRoot = Path.Combine(benchDir, "scenarios") };
                reports.Add((bench, ReportFiles.Open(benchDir, bench.Name), settings));
            }
            var runs = reports.Select(r => new BenchRun(r.Bench.Name, new RunOptions
            {
                BaseDirectory = root,
                Listeners = [.. r.Files.Listeners, new ConsoleProgressListener(Console.Out, r.Bench.Name)],
                ConfigureServices = services => services.RegisterInstanceAs(r.Settings),
                StepAssemblies = r.Settings.StepAssemblies,
                Retry = retries,
            })).ToList();
            results = await ParallelRun.RunAsync([typeof(BenchSteps).Assembly], resolved, schedule, runs, token);
        }
        finally
        {
            foreach (var (_, files, _) in reports) files.Dispose();
        }
        var benchOf = new Dictionary<PickleResult, string>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < results.Count; i++)
        {
            foreach (var pickle in results[i].Pickles) benchOf[pickle] = benches[i].Name;
        }
        // Scenarios in the schedule's order, as one run: the summary and the pass counts of --repeat read this.
        var order = schedule.Order.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var pickles = results.SelectMany(r => r.Pickles).OrderBy(p => order.GetValueOrDefault(p.Id, int.MaxValue)).ToList();
        var merged = new RunResult(pickles, results.SelectMany(r => r.Errors).Distinct().ToList(), clock.Elapsed, results.Any(r => r.Cancelled));
        var ndjson = Path.Combine(outDir, "cucumber-messages.ndjson");
        var junit = Path.Combine(outDir, "junit.xml");
        var html = Path.Combine(outDir, "report.html");
        WriteMergedReports(reports.Select(r => (r.Bench.Name, r.Files)).ToList(), ndjson, junit, html);
        foreach (var error in merged.Errors) await Console.Error.WriteLineAsync($"hilrig run: {error}");
        ConsoleProgressListener.WriteSummary(Console.Out, merged);
        Console.WriteLine($"benches: {string.Join(", ", benches.Select((b, i) => $"{b.Name} {results[i].Pickles.Count} scenarios in {results[i].Duration.TotalSeconds:0} s"))}");
        Console.WriteLine($"reports: {ndjson}, {junit}, {html} (each bench's own in {Path.Combine(outDir, "benches")})");
        foreach (var failed in pickles.Where(p => !p.Passed))
        {
            Console.WriteLine($"reproduce ({benchOf[failed]}): {round.ReproduceCommand(failed.Id)}");
        }
        if (pickles.Count == 0 && merged.Errors.Count == 0)
        {
            await Console.Error.WriteLineAsync("hilrig run: no scenario matched the paths and tags given");
            return (2, []);
        }
        return (merged.Success ? 0 : 1, pickles);
    }

    /// <summary>The benches' reports merged into one of each; a merge that fails is named in one stderr line and costs only its own file.</summary>
    private static void WriteMergedReports(IReadOnlyList<(string Bench, ReportFiles Files)> benches, string ndjson, string junit, string html)
    {
        try
        {
            var merge = CucumberMessagesMerge.MergeFiles(benches.Select(b => (b.Bench, b.Files.NdjsonPath)), ndjson);
            foreach (var warning in merge.Warnings) Console.Error.WriteLine($"hilrig run: {warning}");
            CucumberHtmlReport.Write(ndjson, html);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or GherkinException)
        {
            Console.Error.WriteLine($"hilrig run: the merged messages and HTML report could not be written: {ex.Message}");
        }
        try
        {
            JUnitReportMerge.MergeFiles(benches.Select(b => (b.Bench, b.Files.JUnitPath)), junit);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or GherkinException)
        {
            Console.Error.WriteLine($"hilrig run: the merged JUnit report could not be written: {ex.Message}");
        }
    }

    /// <summary>A bench name as a folder name: sim-chain#2 stays as it is; a path separator would not.</summary>
    private static string FolderName(string bench) => string.Concat(bench.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
}
