using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

[Binding]
public sealed class CommonSteps(Probe probe, ScenarioRun scenario)
{
    [Given("a step that passes")]
    public void GivenAStepThatPasses() => probe.Add($"passed [{scenario.Name}]");

    [When("a step throws {string}")]
    public void WhenAStepThrows(string message) => throw new InvalidOperationException(message);

    [When("a step throws a message with an escape and a NUL")]
    public void WhenAStepThrowsControlCharacters() => throw new InvalidOperationException("\u001B[31mthe DUT said\u001B[0m \0 and stopped");

    [Then("a step that must not run")]
    public void ThenAStepThatMustNotRun() => probe.Add("must not run");

    [Given("a step that fails its first {int} attempts")]
    public void GivenAFlakyStep(int failures)
    {
        var before = probe.CountBefore(scenario.PickleId);
        if (before < failures)
        {
            throw new InvalidOperationException($"flaky: attempt {before + 1} fails");
        }
    }

    [Given("a step that is pending")]
    public void GivenAStepThatIsPending() => throw new PendingStepException();

    [Given("a step that skips the scenario")]
    public void GivenAStepThatSkips() => throw new SkipScenarioException("needs wired hardware");

    [Given("an ambiguous step")]
    public void GivenAnAmbiguousStep()
    {
    }

    [Given("^an ambiguous (.*)$")]
    public void GivenAnAmbiguousAnything(string what) => probe.Add(what);
}
