using HilRig.Gherkin.Testing;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// @cloud scenarios end to end on wiring/sim-chain-tls.yaml (docs/cloud.md §6): the module reaches every server over
/// TLS and checks it against the bench CA, created for the test in a directory of its own.
/// </summary>
public sealed class TlsCatalogTests
{
    private static readonly string[] Chosen =
    [
        "A campaign from the target server upgrades every chip far-to-near and the server hears each completion",
        "A client with the wrong secret is refused",
        "A module that trusts the bench CA connects to its servers over TLS",
        "A module given a wrong CA refuses the servers and says so",
    ];

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => p.Tags.Contains("@cloud") && Chosen.Contains(p.Name))
            .Select(p => new TheoryDataRow<string>(p.Name).WithTestDisplayName($"[sim-chain-tls] {p.DisplayName}"));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Cloud_Scenario_Passes_Over_Tls(string scenarioName)
    {
        var data = Directory.CreateTempSubdirectory("hilrig-tls-data-").FullName;
        try
        {
            var settings = RigSettings.ForRepository(ScenarioRunners.Root, Path.Combine("wiring", "sim-chain-tls.yaml"), Path.Combine("artifacts", "test-scenarios", "sim-chain-tls"))
                with { DataDirectory = data };
            var result = await ScenarioRunners.RunScenarioAsync(settings, scenarioName, TestContext.Current.CancellationToken);
            Assert.True(result.Passed, result.Describe());
            Assert.True(File.Exists(Path.Combine(data, "benches", "sim-chain-tls", "ca", "ca.crt")), "the bench CA was not kept in the test's data directory");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
