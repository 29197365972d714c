using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using System.Xml.Linq;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Gherkin.Tests.StepDefinitions;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Execution;

/// <summary>Issue 18, item 3: what QA expects of a Cucumber runner, on Reqnroll's runtime. One test per behaviour.</summary>
public sealed class CucumberBehaviourTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-behaviour-");
    private readonly RunnerHarness _harness = new();

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task RunLevelHooks_AppearInTheNdjsonWithTheirNames_When_TheRunHasTestRunAndFeatureHooks()
    {
        var log = new RunHookLog();
        var (result, messages) = await RunWithReportsAsync(["Features/Passing/hooks.feature"], [typeof(RunnerHarness).Assembly], log);

        Assert.True(result.Success);
        Assert.Equal(["before test run", "after test run"], log.Events);
        var hooks = Of(messages, "hook").ToDictionary(h => h.GetProperty("id").GetString()!, h => h.GetProperty("name").GetString());
        var started = Of(messages, "testRunHookStarted").Select(h => hooks[h.GetProperty("hookId").GetString()!]).ToList();
        Assert.Equal(["BeforeTestRun", "BeforeFeature", "AfterFeature", "AfterTestRun"], started);
        Assert.Equal(4, Of(messages, "testRunHookFinished").Count(h => h.GetProperty("result").GetProperty("status").GetString() == "PASSED"));
        Assert.Equal(["BeforeTestRun", "BeforeFeature", "AfterFeature", "AfterTestRun"], result.Hooks.Select(h => h.Hook.Hook.Binding.Method.Name));
        Assert.Equal("Hooks", result.Hooks[1].Hook.FeatureName);
    }

    [Fact]
    public async Task AfterHooks_RunInReverseOrder_And_ThePlanSaysSo_When_ScenarioHasSeveralAfterHooks()
    {
        var result = await _harness.RunAsync("Features/Behaviour/order.feature");

        Assert.True(result.Success);
        Assert.Equal(
            ["before 10", "before 20", "passed [After hooks run in the reverse of the Before hooks' order]",
             "after default declared later", "after default", "after 20", "after 10"],
            _harness.Probe.Events);
        Assert.Equal(
            ["Before10", "Before20", "", "AfterDefaultDeclaredLater", "AfterDefault", "After20", "After10"],
            Assert.Single(result.Pickles).Steps.Select(s => s.Step.Hook?.Binding.Method.Name ?? ""));
    }

    [Fact]
    public async Task ScenarioCountsSkipped_When_ItSkipsAtRunTimeAndLaterStepsAreUndefined()
    {
        var result = await _harness.RunAsync("Features/Behaviour/skip.feature:3:8");

        Assert.Equal([PickleStatus.Skipped, PickleStatus.Skipped], result.Pickles.Select(p => p.Status));
        Assert.Equal("needs wired hardware", result.Pickles[0].ErrorMessage);
        Assert.Equal([PickleStatus.Skipped, PickleStatus.Skipped], result.Pickles[0].Steps.Select(s => s.Status));
        Assert.NotNull(result.Pickles[0].Steps[1].Snippet);
        Assert.Equal("no bench is wired to this machine", result.Pickles[1].ErrorMessage);
        Assert.True(result.Success);
    }

    [Fact]
    public async Task ScenarioCountsSkipped_When_ADriversConstructorSkipsIt()
    {
        var result = await _harness.RunAsync("Features/Behaviour/skip.feature:12");

        var pickle = Assert.Single(result.Pickles);
        Assert.Equal(PickleStatus.Skipped, pickle.Status);
        Assert.Equal("this driver needs a wired bench", pickle.ErrorMessage);
        Assert.DoesNotContain("must not run", _harness.Probe.Events);
    }

    [Fact]
    public async Task EveryScenarioOfTheFeatureFails_And_TheHookIsReported_When_ABeforeFeatureHookFails()
    {
        var (result, messages) = await RunWithReportsAsync(["Features/Behaviour/feature-hook.feature"], [typeof(RunnerHarness).Assembly]);

        Assert.Equal([PickleStatus.Failed, PickleStatus.Failed], result.Pickles.Select(p => p.Status));
        Assert.All(result.Pickles, p => Assert.Contains("[BeforeFeature] hook failed for feature 'A feature whose BeforeFeature hook fails'", p.ErrorMessage, StringComparison.Ordinal));
        Assert.All(result.Pickles, p => Assert.Contains("the feature's bench did not boot", p.ErrorMessage, StringComparison.Ordinal));
        Assert.Empty(_harness.Probe.Events);
        Assert.Single(Of(messages, "testRunHookFinished"), h => h.GetProperty("result").GetProperty("status").GetString() == "FAILED");
    }

    [Fact]
    public async Task UnknownParameterType_IsOneClearErrorInTheReport_When_AnyBindingUsesIt()
    {
        var log = new RunHookLog();
        var (result, messages) = await RunWithReportsAsync(["Features/Passing/tables.feature"], [typeof(RunnerHarness).Assembly, GizmoAssembly.Value], log);

        Assert.False(result.Success);
        Assert.Empty(result.Pickles);
        var error = Assert.Single(result.Errors);
        Assert.True(error.Contains("gizmo", StringComparison.Ordinal), error);
        Assert.Empty(Of(messages, "testCase"));
        Assert.Empty(Of(messages, "testRunHookStarted"));
        Assert.Empty(log.Events);
        Assert.Equal("gizmo", Assert.Single(Of(messages, "undefinedParameterType")).GetProperty("name").GetString());
        var finished = Assert.Single(Of(messages, "testRunFinished"));
        Assert.False(finished.GetProperty("success").GetBoolean());
        Assert.Contains("gizmo", finished.GetProperty("exception").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("gizmo", XDocument.Load(Path.Combine(_directory.FullName, "junit.xml")).Root!.Element("testsuite")!.Element("testcase")!.Attribute("name")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingBeforeTestRunHook_IsOneClearErrorAndNoScenarioRuns_When_TheRunStarts()
    {
        var log = new RunHookLog { FailBeforeTestRun = true };
        var (result, messages) = await RunWithReportsAsync(["Features/Passing/tables.feature"], [typeof(RunnerHarness).Assembly], log);

        Assert.Empty(result.Pickles);
        Assert.Contains("the bench power supply does not answer", Assert.Single(result.Errors), StringComparison.Ordinal);
        // Reqnroll's order: the AfterTestRun hooks still run, to undo what the others did.
        Assert.Equal(["before test run", "after test run"], log.Events);
        var failed = Assert.Single(Of(messages, "testRunHookFinished"), h => h.GetProperty("result").GetProperty("status").GetString() == "FAILED");
        Assert.Contains("does not answer", failed.GetProperty("result").GetProperty("message").GetString(), StringComparison.Ordinal);
        var finished = Assert.Single(Of(messages, "testRunFinished"));
        Assert.Equal("System.InvalidOperationException", finished.GetProperty("exception").GetProperty("type").GetString());
    }

    [Fact]
    public async Task CustomParameterType_ConvertsTheArgument_When_AStepTransformationHasAName()
    {
        var result = await _harness.RunAsync("Features/Behaviour/parameters.feature:3");

        Assert.True(result.Success, Assert.Single(result.Pickles).Describe());
        Assert.Equal(["powered n2", "n2 firmware 1.2.0"], _harness.Probe.Events);
        var argument = Assert.Single(result.Pickles[0].Steps[0].Step.Matches[0].Arguments);
        Assert.Equal(new PlannedArgument("n2", 5, "node"), argument);
    }

    [Fact]
    public async Task OldStyleArguments_StillConvert_When_FeatureFilesWereWrittenForTheOldRunner()
    {
        var result = await _harness.RunAsync("Features/Behaviour/parameters.feature:7");

        Assert.True(result.Success, Assert.Single(result.Pickles).Describe());
        Assert.Equal(
            ["mode PowerSave", "mode PowerSave", "mode Normal", "flag True", "flag False", "flag True", "address 31", "address 42",
             "answers within any time", "answers within 30"],
            _harness.Probe.Events);
    }

    [Fact]
    public async Task OutputHelperTextAndFiles_BecomeAttachmentsOfTheStep_When_AQaLibraryUsesThem()
    {
        var (result, messages) = await RunWithReportsAsync(["Features/Behaviour/output.feature:3"], [typeof(RunnerHarness).Assembly]);

        Assert.True(result.Success, Assert.Single(result.Pickles).Describe());
        var attachments = Of(messages, "attachment").ToList();
        Assert.Equal(2, attachments.Count);
        Assert.Equal("text/x.cucumber.log+plain", attachments[0].GetProperty("mediaType").GetString());
        Assert.Equal("hello from the QA library", attachments[0].GetProperty("body").GetString());
        Assert.StartsWith("hilrig-capture-", attachments[1].GetProperty("fileName").GetString(), StringComparison.Ordinal);
        Assert.Equal("captured bytes", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(attachments[1].GetProperty("body").GetString()!)));
        Assert.All(attachments, a => Assert.True(a.TryGetProperty("testStepId", out _)));
    }

    [Fact]
    public async Task DisposalThatThrows_FailsThePickleWithItsMessage_When_ADriverDoesNotStop()
    {
        var result = await _harness.RunAsync("Features/Behaviour/output.feature:6");

        var pickle = Assert.Single(result.Pickles);
        Assert.Equal(PickleStatus.Failed, pickle.Status);
        Assert.Equal("Disposing StubbornDriver failed: InvalidOperationException: the bench double did not stop", pickle.ErrorMessage);
    }

    [Fact]
    public async Task SynchronousDisposalThatThrows_FailsThePickleWithItsMessage_When_AResourceDoesNotClose()
    {
        var result = await _harness.RunAsync("Features/Behaviour/output.feature:9");

        var pickle = Assert.Single(result.Pickles);
        Assert.Equal(PickleStatus.Failed, pickle.Status);
        Assert.Equal("Disposing the scenario's objects failed: IOException: the capture file could not be closed", pickle.ErrorMessage);
    }

    [Fact]
    public async Task EachRunnerUsesItsOwnServicesAndBindings_When_RunnersRunConcurrently()
    {
        var first = new RunnerHarness();
        var second = new RunnerHarness();
        var withoutBindings = new RunnerHarness();
        await using var noBindings = new GherkinRunner([typeof(GherkinRunner).Assembly], withoutBindings.Options());
        var cancellation = TestContext.Current.CancellationToken;

        var runs = await Task.WhenAll(
            Task.Run(() => first.RunAsync("Features/Passing/outline.feature"), cancellation),
            Task.Run(() => second.RunAsync("Features/Passing/outline.feature"), cancellation),
            Task.Run(() => noBindings.RunAsync(PickleSelection.Of(["Features/Passing/tables.feature"]), cancellationToken: cancellation), cancellation));

        Assert.True(runs[0].Success && runs[1].Success);
        Assert.Equal(11, first.Probe.Events.Count);
        Assert.Equal(first.Probe.Events, second.Probe.Events);
        Assert.Equal(PickleStatus.Undefined, Assert.Single(runs[2].Pickles).Status);
        Assert.Empty(withoutBindings.Probe.Events);
    }

    [Fact]
    public async Task StepAssemblyByPath_ProvidesTheBindings_When_TheRunnerHasNoOtherAssembly()
    {
        var options = new RunOptions
        {
            BaseDirectory = AppContext.BaseDirectory,
            ConfigureServices = services => services.RegisterInstanceAs(_harness.Probe),
            StepAssemblies = [typeof(RunnerHarness).Assembly.Location],
        };
        await using var runner = new GherkinRunner([], options);

        var result = await runner.RunAsync(PickleSelection.Of(["Features/Passing/tables.feature"]), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Success, string.Join("\n", result.Errors.Concat(result.Pickles.Select(p => p.Describe()))));
        Assert.Equal(3, _harness.Probe.Events.Count);
    }

    [Fact]
    public async Task FailedScenarioRunsAgain_And_EachAttemptIsReported_And_TheLastAttemptIsTheResult_When_RetryIsGiven()
    {
        var (result, messages) = await RunWithReportsAsync(["Features/Behaviour/retry.feature"], [typeof(RunnerHarness).Assembly], retry: 2);

        Assert.Equal([PickleStatus.Passed, PickleStatus.Failed], result.Pickles.Select(p => p.Status));
        Assert.Equal([2, 2], result.Pickles.Select(p => p.Attempt));
        Assert.False(result.Success);
        // One testCase per scenario; a testCaseStarted per attempt (attempt 0, 1, 2); willBeRetried on all but the last.
        var testCases = Of(messages, "testCase").ToList();
        Assert.Equal(2, testCases.Count);
        var started = Of(messages, "testCaseStarted").ToList();
        var finished = Of(messages, "testCaseFinished").ToDictionary(f => f.GetProperty("testCaseStartedId").GetString()!);
        foreach (var testCase in testCases)
        {
            var attempts = started.Where(s => s.GetProperty("testCaseId").GetString() == testCase.GetProperty("id").GetString()).ToList();
            Assert.Equal([0, 1, 2], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
            Assert.Equal([true, true, false], attempts.Select(a => finished[a.GetProperty("id").GetString()!].GetProperty("willBeRetried").GetBoolean()));
        }
        // JUnit holds the last attempt of each scenario and says why the earlier ones were retried.
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(_directory.FullName, "junit.xml"));
        var cases = junit.Descendants("testcase").ToList();
        Assert.Equal(2, cases.Count);
        Assert.Null(cases[0].Element("failure"));
        Assert.StartsWith("attempt 1 of 3 failed, retried: InvalidOperationException: flaky: attempt 1 fails", cases[0].Element("system-out")!.Value, StringComparison.Ordinal);
        Assert.NotNull(cases[1].Element("failure"));
    }

    private async Task<(RunResult Result, List<JsonElement> Messages)> RunWithReportsAsync(string[] paths, Assembly[] assemblies, RunHookLog? log = null, int retry = 0)
    {
        RunResult result;
        ReportFiles reports;
        using (reports = ReportFiles.Open(_directory.FullName))
        {
            await using var runner = new GherkinRunner(assemblies);
            result = await runner.RunAsync(PickleSelection.Of(paths), new RunOptions
            {
                BaseDirectory = AppContext.BaseDirectory,
                Listeners = reports.Listeners,
                Retry = retry,
                ConfigureServices = services =>
                {
                    services.RegisterInstanceAs(_harness.Probe);
                    if (log is not null)
                    {
                        services.RegisterInstanceAs(log);
                    }
                },
            }, TestContext.Current.CancellationToken);
        }

        var lines = File.ReadAllLines(reports.NdjsonPath);
        foreach (var line in lines)
        {
            var errors = MessagesSchema.Errors(line);
            Assert.True(errors.Count == 0, $"not a valid Cucumber message: {string.Join("; ", errors)}\n{line}");
        }

        return (result, lines.Select(l => JsonDocument.Parse(l).RootElement).ToList());
    }

    private static IEnumerable<JsonElement> Of(List<JsonElement> messages, string kind) =>
        messages.Where(m => m.TryGetProperty(kind, out _)).Select(m => m.GetProperty(kind));

    /// <summary>A step library with a step definition that uses a parameter type nobody defines: <c>a {gizmo} is attached</c>.</summary>
    private static readonly Lazy<Assembly> GizmoAssembly = new(() =>
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("GizmoSteps"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("GizmoSteps").DefineType("GizmoSteps.GizmoSteps", TypeAttributes.Public | TypeAttributes.Sealed);
        type.SetCustomAttribute(new CustomAttributeBuilder(typeof(Reqnroll.BindingAttribute).GetConstructor(Type.EmptyTypes)!, []));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var method = type.DefineMethod("GivenAGizmo", MethodAttributes.Public, typeof(void), [typeof(string)]);
        method.SetCustomAttribute(new CustomAttributeBuilder(typeof(Reqnroll.GivenAttribute).GetConstructor([typeof(string)])!, ["a {gizmo} is attached"]));
        method.GetILGenerator().Emit(OpCodes.Ret);
        type.CreateType();
        return assembly;
    });
}
