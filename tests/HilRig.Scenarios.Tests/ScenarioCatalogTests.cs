using HilRig.Gherkin.Testing;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// Every scenario of the catalogue as its own test case. Features that start the run's bench ("Given the
/// bench is powered on") run on both virtual benches, except @slow and @cloud ones (on sim-chain only);
/// features that name their bench run once.
/// </summary>
public sealed class ScenarioCatalogTests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    /// <summary>The virtual benches the bench-agnostic features run on.</summary>
    public static readonly string[] Benches = ["sim-chain", "sim-tree"];

    public static IEnumerable<TheoryDataRow<string, string>> Scenarios()
    {
        foreach (var pickle in PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root))
        {
            var namesItsBench = pickle.Pickle.Steps.Any(s => s.Text.StartsWith("the bench \"", StringComparison.Ordinal));
            // Slow scenarios (sweeps, ten cuts) run on the default bench only, to keep CI within its time. So do the
            // @cloud ones: what they test is the module's network side and the servers (run again on mosquitto brokers
            // by MosquittoCatalogTests); the chips' topology is the tree's business, covered there by the upgrade,
            // power-cut and link-fault features.
            var onlyOnce = namesItsBench || pickle.Tags.Contains("@slow") || pickle.Tags.Contains("@cloud");
            foreach (var bench in onlyOnce ? Benches[..1] : Benches)
            {
                var label = namesItsBench ? "own bench" : bench;
                yield return new TheoryDataRow<string, string>(bench, pickle.Id).WithTestDisplayName($"[{label}] {pickle.DisplayName}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_Passes_On_The_Virtual_Bench(string bench, string pickleId)
    {
        var result = await runners.For(bench).RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }
}
