using HilRig.Gherkin;
using System.CommandLine;
using HilRig.Gherkin.Reporting;

namespace HilRig.Cli.Commands;

/// <summary>
/// `hilrig report html`: the standard Cucumber HTML report of a run, from its Cucumber messages, with the
/// Cucumber.HtmlFormatter package (no Node.js or npm). `hilrig run` writes the same report.html at the end of a run;
/// this command writes it again, for a run that was killed before its end or to another file.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "A run's report directory (artifacts/run-...) or its cucumber-messages.ndjson." };
        var output = new Option<string?>("--out") { Description = "The HTML file to write (default: report.html beside the messages)." };
        var html = new Command("html", "Write the Cucumber HTML report of a run (hilrig run writes it too, as report.html).") { run, output };
        html.SetAction(async (result, token) =>
        {
            var source = result.GetRequiredValue(run);
            var messages = Directory.Exists(source) ? Path.Combine(source, "cucumber-messages.ndjson") : source;
            if (!File.Exists(messages))
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} does not exist (give a run's report directory or its cucumber-messages.ndjson)");
                return 2;
            }
            var target = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(messages) is { Length: > 0 } folder ? folder : ".", "report.html");
            HtmlReportOutcome outcome;
            try
            {
                outcome = await Task.Run(() => CucumberHtmlReport.Write(messages, target), token);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {ex.Message}");
                return 1;
            }
            foreach (var skipped in outcome.SkippedLines)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} {skipped}; left out of the report");
            }
            if (outcome.Messages == 0)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} holds no Cucumber messages; no report written");
                return 2;
            }
            Console.WriteLine(target);
            return 0;
        });
        return new Command("report", "Reports people read.") { html, Merge() };
    }

    /// <summary>`hilrig report merge`: the reports of several runs (a farm's shards) as one run's.</summary>
    private static Command Merge()
    {
        var runs = new Argument<string[]>("runs") { Description = "The runs' report directories (each holding cucumber-messages.ndjson), e.g. the shards' artifacts.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Directory of the merged report (default: artifacts/merged-<time>)." };
        var merge = new Command("merge", "Merge several runs' reports (the shards of hilrig run --shard i/n) into one: Cucumber messages, JUnit XML and the HTML report.") { runs, output };
        merge.SetAction(async (result, token) =>
        {
            var given = result.GetRequiredValue(runs);
            foreach (var run in given)
            {
                if (!File.Exists(Path.Combine(run, "cucumber-messages.ndjson")))
                {
                    await Console.Error.WriteLineAsync($"hilrig report merge: {run} holds no cucumber-messages.ndjson (give the report directories of the runs, as hilrig run --out wrote them)");
                    return 2;
                }
            }
            var target = Path.GetFullPath(result.GetValue(output)
                ?? Path.Combine(RepoPaths.Root, "artifacts", "merged-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)));
            if (given.Any(run => Path.GetFullPath(run).TrimEnd('/') == target.TrimEnd('/')))
            {
                await Console.Error.WriteLineAsync($"hilrig report merge: --out {target} is one of the runs; give another directory");
                return 2;
            }
            MergeOutcome outcome;
            try
            {
                outcome = await Task.Run(() => ReportMerge.Merge(given, target), token);
            }
            catch (GherkinException ex)
            {
                await Console.Error.WriteLineAsync($"hilrig report merge: {ex.Message}");
                return 2;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"hilrig report merge: {ex.Message}");
                return 1;
            }
            foreach (var warning in outcome.Warnings)
            {
                await Console.Error.WriteLineAsync($"hilrig report merge: {warning}");
            }
            var counts = string.Join(", ", outcome.Scenarios.GroupBy(s => s.Status).OrderBy(g => ScenarioStatus.All.ToList().IndexOf(g.Key)).Select(g => $"{g.Count()} {g.Key}"));
            Console.WriteLine($"hilrig report merge: {outcome.Runs} runs, {outcome.Scenarios.Count} scenarios ({(counts.Length == 0 ? "none" : counts)})");
            Console.WriteLine($"reports: {Path.Combine(target, "cucumber-messages.ndjson")}, {Path.Combine(target, "junit.xml")}, {Path.Combine(target, "report.html")}");
            foreach (var failed in outcome.FailedRuns)
            {
                await Console.Error.WriteLineAsync($"hilrig report merge: run {failed}");
            }
            return outcome.FailedRuns.Count == 0 && outcome.Scenarios.All(s => s.Passed || s.Status == ScenarioStatus.Skipped) ? 0 : 1;
        });
        return merge;
    }
}
