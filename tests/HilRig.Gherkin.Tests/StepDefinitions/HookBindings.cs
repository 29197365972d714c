using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

[Binding]
public sealed class HookBindings(Probe probe, ScenarioRun scenario)
{
    [BeforeFeature("@hooks")]
    public static void BeforeFeature(Probe probe, FeatureContext feature) => probe.Add($"before feature {feature.FeatureInfo.Title}");

    [AfterFeature("@hooks")]
    public static void AfterFeature(Probe probe, FeatureContext feature) => probe.Add($"after feature {feature.FeatureInfo.Title}");

    [BeforeScenario("@hooks", Order = 20)]
    public void BeforeScenarioSecond() => probe.Add($"before scenario 20 {scenario.Name}");

    [BeforeScenario("@hooks", Order = 10)]
    public Task BeforeScenarioFirst()
    {
        probe.Add($"before scenario 10 {scenario.Name}");
        return Task.CompletedTask;
    }

    [AfterScenario("@hooks")]
    public void AfterScenario() => probe.Add($"after scenario {scenario.Name}");

    [AfterScenario("@injection")]
    public void AfterInjectionScenario() => probe.Add("after scenario hook");

    [Given("a hooked step runs")]
    public void GivenAHookedStepRuns()
    {
        scenario.Attach("note.txt", "text/plain", $"step of {scenario.Name}");
        probe.Add($"step {scenario.Name}");
    }
}
