using HilRig.Scenarios.Drivers;
using Reqnroll;

namespace SampleQaSteps;

/// <summary>
/// The steps of a QA team's own wording, written against Reqnroll's public API and the rig's drivers it injects
/// (<see cref="BenchDriver"/>, <see cref="UpgradeDriver"/>), as a team writes them in its own repository.
/// </summary>
[Binding]
public sealed class ReleaseSteps(BenchDriver bench, UpgradeDriver upgrade, ScenarioContext scenario, IReqnrollOutputHelper output)
{
    /// <summary>The team's own parameter type: <c>{chip}</c> is a chip of the bench, by its wiring name.</summary>
    [StepArgumentTransformation(@"(chip\d+)", Name = "chip")]
    public static string Chip(string name) => name;

    /// <summary>A tag-scoped hook of the team's own.</summary>
    [BeforeScenario("@qa-sample")]
    public void RememberTheTeam() => scenario["team"] = "QA sample";

    /// <summary>Starts the bench the run was given (--wiring; sim-chain by default).</summary>
    [Given("a fresh chain on the bench")]
    public Task GivenAFreshChain() => bench.StartAsync(null, bench.Cancellation);

    /// <summary>Runs one campaign to <paramref name="version"/> in the bench's default order.</summary>
    [When("release {string} is rolled out to the chain")]
    public async Task WhenTheReleaseIsRolledOut(string version)
    {
        var outcome = await upgrade.RunAsync(version, order: null, watchModes: false, bench.Cancellation);
        scenario.Set(outcome, "outcome");
        output.WriteLine($"{scenario["team"]}: the rollout of {version} ended with {outcome.Final.Event}");
    }

    /// <summary>The campaign's last event.</summary>
    [Then("the rollout ends with {string}")]
    public void ThenTheRolloutEndsWith(string expected)
    {
        var outcome = scenario.Get<CampaignOutcome>("outcome");
        if (outcome.Final.Event != expected)
        {
            throw new InvalidOperationException($"the rollout ended with '{outcome.Final.Event}' ({outcome.Final.Detail}), expected '{expected}': {outcome.Diagnosis}");
        }
    }

    /// <summary>The chip reported its own upgrade complete during the campaign.</summary>
    [Then("{chip} completed its upgrade")]
    public void ThenTheChipCompletedItsUpgrade(string chip)
    {
        var model = bench.Chip(chip).ModelId;
        var completed = scenario.Get<CampaignOutcome>("outcome").CompletedOrder;
        if (!completed.Contains(model))
        {
            throw new InvalidOperationException($"{chip} (model 0x{model:x2}) never reported chip-complete; the chips that did: {string.Join(", ", completed.Select(m => $"0x{m:x2}"))}");
        }
    }
}
