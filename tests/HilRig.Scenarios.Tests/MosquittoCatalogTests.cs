using HilRig.Gherkin.Testing;
using HilRig.Servers.Mqtt;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The cloud scenarios (@cloud, the @gateway ones included; not @embedded-broker, whose faults restart the embedded broker) on
/// wiring/sim-chain-mosquitto.yaml, where every server's broker and every access node of the gateway cluster is a mosquitto
/// process the rig starts (docs/cloud.md §5.6): the servers, the gateway cluster and the module must not depend on the embedded
/// broker. Skipped, with the reason, on a machine without mosquitto (./setup.sh mosquitto installs it). The first scenario
/// of each feature runs in every run, the rest at night (<see cref="CatalogueTier"/>).
/// </summary>
public sealed class MosquittoCatalogTests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    private static IEnumerable<HilRig.Gherkin.Features.PickleInfo> Selected() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => p.Tags.Contains("@cloud") && !p.Tags.Contains("@embedded-broker") && !p.Pickle.Steps.Any(s => s.Text.StartsWith("the bench \"", StringComparison.Ordinal)));

    private static readonly IReadOnlySet<string> EveryRun = CatalogueTier.EveryRun(Selected(), []);

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        Selected().Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[sim-chain-mosquitto] {p.DisplayName}"));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Cloud_Scenario_Passes_With_Mosquitto_Brokers(string pickleId)
    {
        Assert.SkipWhen(MosquittoBroker.FindBinary() is null, "mosquitto is not installed on this machine; ./setup.sh mosquitto installs it");
        CatalogueTier.SkipUnlessTaken(EveryRun, pickleId);
        var result = await runners.For("sim-chain-mosquitto").RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }
}
