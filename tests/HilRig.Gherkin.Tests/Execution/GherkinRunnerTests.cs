using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Execution;

public sealed class GherkinRunnerTests
{
    private readonly RunnerHarness _harness = new();

    [Fact]
    public async Task RunAsync_ConvertsParameters_When_StepsUseCucumberExpressionsAndRegex()
    {
        var result = await _harness.RunAsync("Features/Passing/parameters.feature");

        Assert.True(result.Success, Assert.Single(result.Pickles).Describe());
        Assert.Equal(
            [
                "chip 2 firmware 1.4.0-rc1", "chip -1 firmware 2.0", "mode PowerSave", "register 31 = 42", "voltage 3.3",
                "listening 1", "listening 3", "power True", "says anything at all, really",
            ],
            _harness.Probe.Events);
    }

    [Fact]
    public async Task RunAsync_RunsBackgroundBeforeEachExample_When_FeatureHasOutline()
    {
        var result = await _harness.RunAsync("Features/Passing/outline.feature");

        Assert.Equal(4, result.Pickles.Count);
        Assert.All(result.Pickles, p => Assert.Equal(PickleStatus.Passed, p.Status));
        Assert.Equal(
            [
                "powered [Cut power at 10% of the transfer]", "cut 10", "boots A",
                "powered [Cut power at 40% of the transfer]", "cut 40", "boots A",
                "powered [Cut power at 95% of the transfer]", "cut 95", "boots B",
                "powered [A plain scenario after the outline]", "cut 0",
            ],
            _harness.Probe.Events);
    }

    [Fact]
    public async Task RunAsync_BindsTableAndDocString_When_StepsHaveArguments()
    {
        var result = await _harness.RunAsync("Features/Passing/tables.feature");

        Assert.True(result.Success);
        Assert.Equal(["chip left at 0x10", "chip right at 0x11", "wiring chain: left -> right"], _harness.Probe.Events);
    }

    [Fact]
    public async Task RunAsync_RunsHooksInOrder_When_FeatureIsTagged()
    {
        var result = await _harness.RunAsync("Features/Passing/hooks.feature");

        Assert.True(result.Success);
        Assert.Equal(
            [
                "before feature Hooks",
                "before scenario 10 First hooked scenario", "before scenario 20 First hooked scenario",
                "step First hooked scenario", "after scenario First hooked scenario",
                "before scenario 10 Second hooked scenario", "before scenario 20 Second hooked scenario",
                "step Second hooked scenario", "after scenario Second hooked scenario",
                "after feature Hooks",
            ],
            _harness.Probe.Events);
        Assert.Equal("step of First hooked scenario", Assert.Single(result.Pickles[0].Attachments).TextBody);
    }

    [Fact]
    public async Task RunAsync_SharesOneInstancePerScenario_When_TwoBindingsInjectIt()
    {
        var result = await _harness.RunAsync("Features/Passing/injection.feature");

        Assert.True(result.Success, string.Join("\n", result.Pickles.Select(p => p.Describe())));
        var events = _harness.Probe.Events;
        var created = events.Where(e => e.StartsWith("journal created ", StringComparison.Ordinal)).Select(e => e[16..]).ToList();
        Assert.Equal(2, created.Count);
        Assert.NotEqual(created[0], created[1]);
        Assert.Equal([$"writer used {created[0]}", $"reader used {created[0]}"], events.Where(e => e.Contains(" used ", StringComparison.Ordinal)).Take(2));
        Assert.Equal($"reader used {created[1]}", events.Last(e => e.Contains(" used ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_DisposesInReverseCreationOrderAfterHooks_When_ScenarioEnds()
    {
        await _harness.RunAsync("Features/Passing/injection.feature:4");

        var events = _harness.Probe.Events;
        var created = events[0]["journal created ".Length..];
        Assert.Equal(["after scenario hook", "late resource disposed", $"journal disposed {created}"], events.TakeLast(3));
    }

    [Fact]
    public async Task RunAsync_SkipsRemainingSteps_When_StepThrows()
    {
        var result = await _harness.RunAsync("Features/Failing/failing.feature:3");

        var pickle = Assert.Single(result.Pickles);
        Assert.False(result.Success);
        Assert.Equal(PickleStatus.Failed, pickle.Status);
        Assert.Equal([PickleStatus.Passed, PickleStatus.Failed, PickleStatus.Skipped], pickle.Steps.Select(s => s.Status));
        Assert.Equal("When a step throws \"the DUT did not answer\"", pickle.FailedStep!.Step.Text);
        Assert.Equal("InvalidOperationException: the DUT did not answer", pickle.ErrorMessage);
        Assert.Equal("System.InvalidOperationException", pickle.FailedStep.ErrorType);
        Assert.DoesNotContain("must not run", _harness.Probe.Events);
        Assert.Contains("Features/Failing/failing.feature:5", pickle.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReportsStepTextAndSnippet_When_StepIsUndefined()
    {
        var result = await _harness.RunAsync("Features/Failing/failing.feature:8");

        var pickle = Assert.Single(result.Pickles);
        Assert.Equal(PickleStatus.Undefined, pickle.Status);
        Assert.Contains("Given the chip 3 is powered by \"bench A\"", pickle.ErrorMessage, StringComparison.Ordinal);
        // Reqnroll's own skeleton (its skeleton provider, Cucumber expression style).
        Assert.Contains("[Given(\"the chip {int} is powered by {string}\")]", pickle.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("public void GivenTheChipIsPoweredBy(int p0, string p1)", pickle.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ListsEveryMatch_When_StepIsAmbiguous()
    {
        var result = await _harness.RunAsync("Features/Failing/failing.feature:11");

        var pickle = Assert.Single(result.Pickles);
        Assert.Equal(PickleStatus.Ambiguous, pickle.Status);
        Assert.Contains("matches 2 step definitions", pickle.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("CommonSteps.GivenAnAmbiguousStep()", pickle.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("CommonSteps.GivenAnAmbiguousAnything(String)", pickle.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReportsPendingAndSkipped_When_StepsSaySo()
    {
        var result = await _harness.RunAsync("Features/Failing/failing.feature:14:17");

        Assert.Equal([PickleStatus.Pending, PickleStatus.Skipped], result.Pickles.Select(p => p.Status));
        Assert.Equal("needs wired hardware", result.Pickles[1].ErrorMessage);
        Assert.DoesNotContain("must not run", _harness.Probe.Events);
    }

    [Fact]
    public async Task RunAsync_ReportsParseErrorAndRunsTheRest_When_OneFileDoesNotParse()
    {
        var result = await _harness.RunAsync("Features/Broken/bad.feature", "Features/Passing/tables.feature");

        Assert.False(result.Success);
        Assert.Single(result.Pickles);
        Assert.StartsWith("Features/Broken/bad.feature:4:3: expected", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StopsBeforeNextPickle_When_Cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var stopper = new StopAfterFirstPickle(cancellation);
        await using var runner = _harness.CreateRunner(stopper);

        var result = await runner.RunAsync(Gherkin.Selection.PickleSelection.Of(["Features/Passing/outline.feature"]), cancellationToken: cancellation.Token);

        Assert.True(result.Cancelled);
        Assert.Single(result.Pickles);
        Assert.False(result.Success);
    }

    [Fact]
    public async Task RunPickleAsync_RunsFeatureHooksOnceAndAfterFeatureOnDispose_When_PicklesRunOneByOne()
    {
        var runner = _harness.CreateRunner();
        var first = await runner.RunPickleAsync("Features/Passing/hooks.feature:4", TestContext.Current.CancellationToken);
        var second = await runner.RunPickleAsync("Features/Passing/hooks.feature:7", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("after feature Hooks", _harness.Probe.Events);

        await runner.DisposeAsync();

        Assert.True(first.Passed && second.Passed);
        Assert.Equal(1, _harness.Probe.Events.Count(e => e == "before feature Hooks"));
        Assert.Equal("after feature Hooks", _harness.Probe.Events[^1]);
    }

    [Fact]
    public async Task RunPickleAsync_Throws_When_IdNamesNoPickle()
    {
        await using var runner = _harness.CreateRunner();

        var error = await Assert.ThrowsAsync<GherkinException>(() => runner.RunPickleAsync("Features/Passing/tables.feature:5", TestContext.Current.CancellationToken));

        Assert.StartsWith("Features/Passing/tables.feature:5: no scenario", error.Message, StringComparison.Ordinal);
    }

    private sealed class StopAfterFirstPickle(CancellationTokenSource cancellation) : IRunListener
    {
        public void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp) => cancellation.Cancel();
    }
}
