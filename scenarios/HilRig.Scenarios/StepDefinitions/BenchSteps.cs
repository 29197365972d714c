using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps that bring the bench to a state and read every chip's status.</summary>
[Binding]
public sealed class BenchSteps(BenchDriver bench, ScenarioRun scenario)
{
    [Given("the bench is powered on")]
    public Task GivenTheBenchIsPoweredOn() => bench.StartAsync(null, scenario.RunCancellation);

    [Given("the bench {string} is powered on")]
    public Task GivenTheNamedBenchIsPoweredOn(string name) => bench.StartAsync(name, scenario.RunCancellation);

    [Given("the device body of {word} is operating")]
    public Task GivenTheDeviceBodyIsOperating(string chip) =>
        bench.Bench.Probe.SetOperatingAsync(bench.Chip(chip).Name, operating: true, scenario.RunCancellation);

    [Given("every chip runs version {string}")]
    public async Task GivenEveryChipRunsVersion(string version)
    {
        var expected = FirmwareVersion.Parse(version);
        var statuses = await bench.Bench.Probe.QueryAllAsync(scenario.RunCancellation);
        Expect.ForEachChip(statuses, (name, status) =>
            status is null ? $"{name} is silent" :
            status.ActiveVersion != expected ? $"{name} runs {status.ActiveVersion}, expected {expected}" :
            status.Mode != ChipMode.Initial ? $"{name} is in {status.Mode} mode, expected Initial" : null);
    }

    [Then("every chip is in initial mode on version {string} with nothing persisted")]
    public async Task ThenEveryChipIsUntouched(string version)
    {
        var expected = FirmwareVersion.Parse(version);
        var statuses = await bench.Bench.Probe.QueryAllAsync(scenario.RunCancellation);
        Expect.ForEachChip(statuses, (name, s) =>
            s is null ? $"{name} is silent (asleep or off), expected an answer in Initial mode" :
            s.Mode != ChipMode.Initial || s.ActiveVersion != expected || s.State != UpgradeState.Idle || s.PersistedOffset != 0 || s.CampaignId != 0
                ? $"{name}: mode {s.Mode}, version {s.ActiveVersion}, state {s.State}, campaign {s.CampaignId}, persisted {s.PersistedOffset}; expected Initial, {expected}, Idle, campaign 0, nothing persisted"
                : null);
    }
}
