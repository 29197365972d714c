using HilRig.Gherkin.Testing;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The hardware path with the device's own WiFi module (wiring/double-chain-air.yaml): the bench double runs the module
/// outside the rig, flashed like a factory module with no network config, behind a link it hands the rig; the rig
/// serves the bench network on that link (dnsmasq, the servers on its address, TLS from the bench CA), provisions the
/// module through the chain (PROVISION) and drives the scenarios as on a Pi. The WiFi features and one scenario of
/// each @cloud feature; what a real module cannot be made to do (forget its network config, trust another CA, refuse an
/// association on a link) is skipped with its reason.
/// </summary>
[Collection(DoubleChainAirCollection.Name)]
public sealed class DoubleAirCatalogTests(DoubleChainAir bench)
{
    private static readonly string[] Chosen =
    [
        "A campaign from the target server upgrades every chip far-to-near and the server hears each completion",
        "A new WiFi firmware on the target server is installed, and the module reports it after rebooting",
        "A module that trusts the bench CA connects to its servers over TLS",
        "A client with the wrong secret is refused",
        "A configured module connects to its vendor server and to the target server at boot",
        "A vendor's command for the device body reaches the processor, and the processor's reply reaches the vendor",
        "A chip campaign is held while the processor is busy, and runs once it accepts",
    ];

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => p.Tags.Contains("@air") || (p.Tags.Contains("@cloud") && Chosen.Contains(p.Name)))
            .Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[double-chain-air] {p.DisplayName}"));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Cloud_Scenario_Passes_With_The_Devices_Own_Module_On_The_Bench_Double(string pickleId)
    {
        Assert.SkipWhen(bench.Unavailable is not null, bench.Unavailable ?? "");
        var result = await bench.Runner.RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        if (SkippedOnARealModule.Contains(result.Pickle.Name))
        {
            // Skipped by the scenario itself, with its reason; anything else (a pass, a failure) is wrong here.
            Assert.True(result.Status == HilRig.Gherkin.Execution.PickleStatus.Skipped, result.Describe());
            Assert.Skip(result.ErrorMessage ?? result.Describe());
        }
        Assert.True(result.Passed, result.Describe());
    }

    /// <summary>
    /// What a real module on a link cannot be made to do: trust another CA (its firmware is flashed), refuse an association
    /// (a link is no radio), take a fault at a byte of its own download (the rig cannot read its count).
    /// </summary>
    private static readonly string[] SkippedOnARealModule =
    [
        "A module given a wrong CA refuses the servers it finds by name and says so",
        "The access point refuses the module's association for a while and the module joins once it is let in",
        "The module loses its WiFi at 50% of its own download and resumes with Range after it joins again",
    ];
}
