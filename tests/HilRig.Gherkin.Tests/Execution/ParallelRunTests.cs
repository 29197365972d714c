using System.Text.Json;
using System.Xml.Linq;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Execution;

/// <summary>Several benches (runners) sharing one schedule, each writing its own reports, merged into one.</summary>
public sealed class ParallelRunTests : IDisposable
{
    private static readonly string[] Passing = ["Features/Passing"];
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-parallel-");
    private readonly RunnerHarness _harness = new();

    public void Dispose() => _directory.Delete(recursive: true);

    private async Task<(IReadOnlyList<RunResult> Results, IReadOnlyList<(string Bench, ReportFiles Files)> Reports)> RunOnBenchesAsync(int count, params string[] paths)
    {
        var resolved = PickleSelection.Of(paths).Resolve(AppContext.BaseDirectory);
        var reports = Enumerable.Range(1, count).Select(k => ($"bench#{k}", ReportFiles.Open(Path.Combine(_directory.FullName, $"bench{k}"), $"bench#{k}"))).ToList();
        try
        {
            var benches = reports.Select(r => new BenchRun(r.Item1, _harness.Options([.. r.Item2.Listeners]))).ToList();
            var results = await ParallelRun.RunAsync([typeof(RunnerHarness).Assembly], resolved, new PickleSchedule(resolved.Pickles), benches, TestContext.Current.CancellationToken);
            return (results, reports);
        }
        finally
        {
            foreach (var (_, files) in reports) files.Dispose();
        }
    }

    [Fact]
    public async Task EveryPickle_RunsOnce_When_ThreeBenchesShareTheSchedule()
    {
        var sequential = await _harness.RunAsync(Passing);
        var (results, _) = await RunOnBenchesAsync(3, Passing);

        var ran = results.SelectMany(r => r.Pickles).Select(p => p.Id).Order().ToList();
        Assert.Equal(sequential.Pickles.Select(p => p.Id).Order(), ran);
        Assert.All(results, r => Assert.True(r.Success, string.Join("\n", r.Errors)));
    }

    [Fact]
    public async Task MergedNdjson_IsOneRunNamingEachBench_When_BenchesRanParts()
    {
        var (results, reports) = await RunOnBenchesAsync(3, Passing);
        var merged = Path.Combine(_directory.FullName, "merged.ndjson");

        var merge = CucumberMessagesMerge.MergeFiles(reports.Select(r => (r.Bench, r.Files.NdjsonPath)), merged);

        Assert.Empty(merge.Warnings);
        var messages = File.ReadAllLines(merged).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Kind(JsonElement e) => e.EnumerateObject().First().Name;
        IEnumerable<JsonElement> Of(string kind) => messages.Where(m => Kind(m) == kind).Select(m => m.GetProperty(kind));
        Assert.Equal("meta", Kind(messages[0]));
        Assert.Single(Of("testRunStarted"));
        Assert.Equal("testRunFinished", Kind(messages[^1]));
        Assert.True(Of("testRunFinished").Single().GetProperty("success").GetBoolean());
        var runId = Of("testRunStarted").Single().GetProperty("id").GetString();
        Assert.All(Of("testCase"), t => Assert.Equal(runId, t.GetProperty("testRunStartedId").GetString()));
        // Each pickle, document and step definition once, though every bench reported its own.
        var pickles = Of("pickle").Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(pickles.Distinct(), pickles);
        Assert.Equal(results.Sum(r => r.Pickles.Count), Of("testCase").Count());
        Assert.All(Of("testCase"), t => Assert.Contains(t.GetProperty("pickleId").GetString(), pickles));
        var uris = Of("gherkinDocument").Select(d => d.GetProperty("uri").GetString()).ToList();
        Assert.Equal(uris.Distinct(), uris);
        var definitions = Of("stepDefinition").Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Equal(definitions.Distinct(), definitions);
        Assert.All(Of("testCase").SelectMany(t => t.GetProperty("testSteps").EnumerateArray()).Where(s => s.TryGetProperty("stepDefinitionIds", out _)),
            s => Assert.All(s.GetProperty("stepDefinitionIds").EnumerateArray(), d => Assert.Contains(d.GetString(), definitions)));
        // Where each scenario ran: the bench that ran it.
        var workers = Of("testCaseStarted").Select(s => s.GetProperty("workerId").GetString()).ToList();
        Assert.All(workers, w => Assert.StartsWith("bench#", w, StringComparison.Ordinal));
        Assert.Equal(results.Count(r => r.Pickles.Count > 0), workers.Distinct().Count());
        var html = CucumberHtmlReport.Write(merged, Path.Combine(_directory.FullName, "report.html"));
        Assert.Empty(html.SkippedLines);
        Assert.Equal(messages.Count, html.Messages);
    }

    [Fact]
    public async Task Merge_OfTwoSeparateRuns_EqualsOneRunInCounts_When_EachRanOtherFeatures()
    {
        // Two runs that each load the features themselves (as shards in two processes do) and share the hooks' feature files' ids.
        var tables = ReportFiles.Open(Path.Combine(_directory.FullName, "shard1"));
        using (tables) await _harness.RunAsync(["Features/Passing/tables.feature", "Features/Passing/outline.feature"], null, [.. tables.Listeners]);
        var rest = ReportFiles.Open(Path.Combine(_directory.FullName, "shard2"));
        using (rest) await _harness.RunAsync(["Features/Passing/hooks.feature"], null, [.. rest.Listeners]);
        var whole = ReportFiles.Open(Path.Combine(_directory.FullName, "whole"));
        using (whole) await _harness.RunAsync(["Features/Passing/tables.feature", "Features/Passing/outline.feature", "Features/Passing/hooks.feature"], null, [.. whole.Listeners]);
        var merged = Path.Combine(_directory.FullName, "merged.ndjson");

        CucumberMessagesMerge.MergeFiles([("shard 1/2", tables.NdjsonPath), ("shard 2/2", rest.NdjsonPath)], merged);

        Dictionary<string, int> Counts(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.EnumerateObject().First().Name)
            .Where(k => k is not ("stepDefinition" or "hook" or "parameterType")).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var mergedCounts = Counts(merged);
        var wholeCounts = Counts(whole.NdjsonPath);
        Assert.Equal(wholeCounts["testCase"], mergedCounts["testCase"]);
        Assert.Equal(wholeCounts["testStepFinished"], mergedCounts["testStepFinished"]);
        Assert.Equal(3, mergedCounts["gherkinDocument"]);
        Assert.Equal(1, mergedCounts["testRunStarted"]);
        Assert.Equal(1, mergedCounts["testRunFinished"]);
    }

    [Fact]
    public void Merge_FailsTheRunAndWarns_When_AStreamWasCutShort()
    {
        var merge = new CucumberMessagesMerge();
        merge.Add("bench#1", new StringReader("""
            {"meta":{"protocolVersion":"1"}}
            {"testRunStarted":{"id":"r1","timestamp":{"seconds":10,"nanos":0}}}
            {"testRunFinished":{"success":true,"timestamp":{"seconds":20,"nanos":0},"testRunStartedId":"r1"}}
            """), "one.ndjson");
        merge.Add("bench#2", new StringReader("""
            {"meta":{"protocolVersion":"1"}}
            {"testRunStarted":{"id":"r2","timestamp":{"seconds":5,"nanos":0}}}
            {"testCaseStar
            """), "two.ndjson");
        var output = new StringWriter();

        merge.WriteTo(output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Single(lines, l => l.TryGetProperty("meta", out _));
        Assert.Equal(5, lines.Single(l => l.TryGetProperty("testRunStarted", out _)).GetProperty("testRunStarted").GetProperty("timestamp").GetProperty("seconds").GetInt64());
        var finished = lines[^1].GetProperty("testRunFinished");
        Assert.False(finished.GetProperty("success").GetBoolean());
        Assert.Contains("bench#2: its stream (two.ndjson) has no testRunFinished", finished.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(20, finished.GetProperty("timestamp").GetProperty("seconds").GetInt64());
        Assert.Equal(["two.ndjson:3: not a Cucumber message envelope (a run cut short while writing?); left out"], merge.Warnings);
    }

    [Fact]
    public void Merge_Throws_When_OneFeatureHasTwoTexts()
    {
        var merge = new CucumberMessagesMerge();
        merge.Add("shard 1", new StringReader("""{"source":{"uri":"a.feature","data":"Feature: A","mediaType":"text/x.cucumber.gherkin+plain"}}"""), "one.ndjson");

        var error = Assert.Throws<GherkinException>(() => merge.Add("shard 2",
            new StringReader("""{"source":{"uri":"a.feature","data":"Feature: A changed","mediaType":"text/x.cucumber.gherkin+plain"}}"""), "two.ndjson"));

        Assert.Equal("two.ndjson: feature a.feature has other text than in one.ndjson: the runs were made from different checkouts and cannot be merged", error.Message);
    }

    [Fact]
    public async Task MergedJUnit_CountsEveryBenchsCasesAndNamesTheBench_When_BenchesRanParts()
    {
        var (results, reports) = await RunOnBenchesAsync(2, "Features/Passing", "Features/Failing/failing.feature");
        var merged = Path.Combine(_directory.FullName, "junit.xml");

        JUnitReportMerge.MergeFiles(reports.Select(r => (r.Bench, r.Files.JUnitPath)), merged);

        var root = XDocument.Load(merged).Root!;
        var cases = root.Descendants("testcase").ToList();
        Assert.Equal(results.Sum(r => r.Pickles.Count), (int)root.Attribute("tests")!);
        Assert.Equal(cases.Count, (int)root.Attribute("tests")!);
        Assert.Equal(results.Sum(r => r.Pickles.Count(p => !p.Passed && p.Status != PickleStatus.Skipped)), (int)root.Attribute("failures")!);
        Assert.True((int)root.Attribute("failures")! > 0);
        // One suite per feature, whichever benches ran its scenarios.
        var files = root.Elements("testsuite").Select(s => (string?)s.Attribute("file")).ToList();
        Assert.Equal(files.Distinct(), files);
        Assert.All(root.Elements("testsuite"), s => Assert.Equal(s.Elements("testcase").Count(), (int)s.Attribute("tests")!));
        Assert.All(cases, c => Assert.StartsWith("bench: bench#", c.Element("system-out")!.Value, StringComparison.Ordinal));
        Assert.All(cases, c => Assert.StartsWith("bench#", (string?)c.Element("properties")!.Element("property")!.Attribute("value"), StringComparison.Ordinal));
    }
}
