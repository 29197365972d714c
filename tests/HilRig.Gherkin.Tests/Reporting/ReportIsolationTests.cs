using System.Text.Json;
using System.Xml.Linq;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Reporting;

/// <summary>
/// A listener that fails never stops the run or the other report writers, and every run that started ends with its
/// end record: testRunFinished last in the NDJSON, a closed junit.xml, also when the run is cancelled.
/// </summary>
public sealed class ReportIsolationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-isolation-");
    private readonly RunnerHarness _harness = new();
    private readonly StringWriter _listenerErrors = new();

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task OtherReportsAreComplete_And_TheErrorIsReportedOnce_When_AListenerThrowsOnEveryEvent()
    {
        var broken = new ThrowingListener();
        RunResult result;
        ReportFiles reports;
        using (reports = ReportFiles.Open(_directory.FullName))
        {
            // First in the list, so every other writer is called after it threw.
            result = await RunAsync(["Features/Failing/failing.feature", "Features/Passing/hooks.feature"], [broken, .. reports.Listeners], TestContext.Current.CancellationToken);
        }

        Assert.Equal(7, result.Pickles.Count);
        Assert.True(broken.Calls > 20, $"the broken listener was called {broken.Calls} times");
        var line = Assert.Single(_listenerErrors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ThrowingListener failed in OnRunStarted (InvalidOperationException: broken writer, call 1)", line, StringComparison.Ordinal);
        AssertNdjsonComplete(reports.NdjsonPath, testCases: 7);
        var junit = XDocument.Load(reports.JUnitPath).Root!;
        Assert.Equal(7, (int)junit.Attribute("tests")!);
        Assert.Contains("Failures", File.ReadAllText(reports.HtmlPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NdjsonAndHtmlAreComplete_And_NoTemporaryFileStays_When_JUnitCannotBeWritten()
    {
        // A directory where junit.xml should go: every save of the JUnit writer fails at its rename.
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "junit.xml"));
        RunResult result;
        ReportFiles reports;
        using (reports = ReportFiles.Open(_directory.FullName))
        {
            result = await RunAsync(["Features/Passing/tables.feature"], [.. reports.Listeners], TestContext.Current.CancellationToken);
        }

        Assert.True(result.Success);
        Assert.Contains("JUnitReportWriter failed in OnRunStarted (IOException", _listenerErrors.ToString(), StringComparison.Ordinal);
        Assert.Single(_listenerErrors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(reports.JUnitPath + ".tmp"));
        AssertNdjsonComplete(reports.NdjsonPath, testCases: 1);
        Assert.True(File.Exists(reports.HtmlPath));
    }

    [Fact]
    public async Task ReportsEndWithTheRunsEndRecord_When_TheRunIsCancelledDuringAScenario()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var cancelDuringFirstPickle = new CancellingListener(cancellation);
        RunResult result;
        ReportFiles reports;
        using (reports = ReportFiles.Open(_directory.FullName))
        {
            result = await RunAsync(["Features/Failing/failing.feature"], [.. reports.Listeners, cancelDuringFirstPickle], cancellation.Token);
        }

        Assert.True(result.Cancelled);
        Assert.Single(result.Pickles);
        var last = AssertNdjsonComplete(reports.NdjsonPath, testCases: 1);
        Assert.Equal("The run was cancelled.", last.GetProperty("testRunFinished").GetProperty("message").GetString());
        Assert.False(last.GetProperty("testRunFinished").GetProperty("success").GetBoolean());
        Assert.Equal(1, (int)XDocument.Load(reports.JUnitPath).Root!.Attribute("tests")!);
    }

    [Fact]
    public async Task ReportsEndWithTheRunsEndRecord_When_TheHostsServicesThrow()
    {
        ReportFiles reports;
        RunResult result;
        using (reports = ReportFiles.Open(_directory.FullName))
        {
            await using var runner = new GherkinRunner([typeof(RunnerHarness).Assembly]);
            result = await runner.RunAsync(PickleSelection.Of(["Features/Passing/tables.feature"], null), new RunOptions
            {
                BaseDirectory = AppContext.BaseDirectory,
                Listeners = reports.Listeners,
                ListenerErrors = _listenerErrors,
                ConfigureServices = _ => throw new InvalidOperationException("no bench configured"),
            }, TestContext.Current.CancellationToken);
        }

        Assert.Empty(result.Pickles);
        Assert.False(result.Success);
        var last = AssertNdjsonComplete(reports.NdjsonPath, testCases: 0);
        Assert.Contains("InvalidOperationException: no bench configured", last.GetProperty("testRunFinished").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("no bench configured", XDocument.Load(reports.JUnitPath).Root!.Element("testsuite")!.Element("testcase")!.Attribute("name")!.Value, StringComparison.Ordinal);
        Assert.Empty(_listenerErrors.ToString());
    }

    private async Task<RunResult> RunAsync(string[] paths, IRunListener[] listeners, CancellationToken cancellationToken)
    {
        await using var runner = new GherkinRunner([typeof(RunnerHarness).Assembly]);
        return await runner.RunAsync(PickleSelection.Of(paths, null), _harness.Options(_listenerErrors, listeners), cancellationToken);
    }

    /// <summary>Every line parses, every started test case finished, and the file ends with testRunFinished; returns that line.</summary>
    private static JsonElement AssertNdjsonComplete(string path, int testCases)
    {
        var messages = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int Count(string kind) => messages.Count(m => m.TryGetProperty(kind, out _));
        Assert.Equal(testCases, Count("testCaseStarted"));
        Assert.Equal(testCases, Count("testCaseFinished"));
        Assert.Equal(1, Count("testRunStarted"));
        Assert.Equal(1, Count("testRunFinished"));
        Assert.True(messages[^1].TryGetProperty("testRunFinished", out _), "the NDJSON does not end with testRunFinished");
        return messages[^1];
    }

    /// <summary>Cancels the run when its first pickle starts, as SIGTERM or Ctrl+C would in the middle of a scenario.</summary>
    private sealed class CancellingListener(CancellationTokenSource cancellation) : IRunListener
    {
        public void OnPickleStarted(TestCasePlan testCase, DateTimeOffset timestamp) => cancellation.Cancel();
    }
}
