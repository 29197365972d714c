using HilRig.Gherkin.Testing;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The bench-agnostic features on wiring/double-chain.yaml: the rig drives a bench double (chips started outside the
/// rig, ptys at by-id paths, power, current and flashing as commands) through its hardware path, exactly as it drives a
/// Pi, with the same step text as on the virtual bench. Bench-agnostic: the features that start the run's bench (and
/// the sweeps, which start benches of the run's wiring themselves) and need no cloud (@cloud needs the bench network of a hardware bench, not wired yet). The flash-operation sweep is
/// left out: it needs chips that cut their own power inside a flash operation, which boards cannot be asked to do.
/// </summary>
public static class DoubleCatalogTests
{
    /// <summary>The scenarios the chain double runs.</summary>
    public static IEnumerable<HilRig.Gherkin.Features.PickleInfo> Selected() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => (p.Pickle.Steps.Any(s => s.Text == "the bench is powered on") || p.Tags.Contains("@sweep")) && !p.Tags.Contains("@cloud")
                && !p.Pickle.Steps.Any(s => s.Text.Contains("flash operation", StringComparison.Ordinal)));

    /// <summary>
    /// Part <paramref name="part"/> of 2: the scenarios are dealt to two doubles wired alike (a pool of two benches, as a
    /// farm's Pis), longest first, as ScenarioCatalogTests deals the catalogue to its virtual benches.
    /// </summary>
    public static IEnumerable<TheoryDataRow<string>> Part(int part, string bench) =>
        ScenarioCatalogTests.Deal(Selected(), p => p, 2, part)
            .Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[{bench}] {p.DisplayName}"));

    /// <summary>Runs one scenario on a double.</summary>
    public static async Task RunAsync(BenchDoubleProcess bench, string pickleId)
    {
        var result = await bench.Runner.RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        if (SkippedOnBoards.Contains(result.Pickle.Name))
        {
            // Skipped by the scenario itself, with its reason; anything else (a pass, a failure) is wrong here.
            Assert.True(result.Status == HilRig.Gherkin.Execution.PickleStatus.Skipped, result.Describe());
            Assert.Skip(result.ErrorMessage ?? result.Describe());
        }
        Assert.True(result.Passed, result.Describe());
    }

    /// <summary>
    /// What boards cannot be made to do: speak another protocol version than their firmware was built for (the scenario
    /// skips and says to flash a 1.1 build).
    /// </summary>
    private static readonly string[] SkippedOnBoards =
    [
        "A chip speaking 1.1 behind a link that loses every fifth DATA frame still upgrades with a 1.2 module",
    ];
}

/// <summary>Part 1 of the double catalogue (<see cref="DoubleCatalogTests"/>), on wiring/double-chain.yaml's double.</summary>
[Collection(DoubleChainCollection.Name)]
public sealed class DoubleCatalogPart1Tests(DoubleChain bench)
{
    public static IEnumerable<TheoryDataRow<string>> Scenarios() => DoubleCatalogTests.Part(1, "double-chain");

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Bench_Double(string pickleId) => DoubleCatalogTests.RunAsync(bench, pickleId);

    [Fact]
    public void The_selection_has_the_chain_conformance_power_link_integrity_isolation_and_sweep_features()
    {
        var features = DoubleCatalogTests.Selected().Select(p => p.Id.Split(':')[0]).Distinct().Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["chain-upgrade.feature", "failure-isolation.feature", "framing-and-addressing.feature", "image-integrity.feature", "link-faults.feature", "mode-table.feature", "power-cuts.feature", "processor-frames.feature", "selective-ack.feature", "start-answers.feature", "sweeps.feature", "upgrade-steps.feature"], features);
        Assert.Equal(DoubleCatalogTests.Selected().Count(), DoubleCatalogTests.Part(1, "").Count() + DoubleCatalogTests.Part(2, "").Count());
    }
}

/// <summary>Part 2 of the double catalogue (<see cref="DoubleCatalogTests"/>), on a second double wired alike (double-chain-b).</summary>
[Collection(DoubleChainBCollection.Name)]
public sealed class DoubleCatalogPart2Tests(DoubleChainB bench)
{
    public static IEnumerable<TheoryDataRow<string>> Scenarios() => DoubleCatalogTests.Part(2, "double-chain-b");

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Bench_Double(string pickleId) => DoubleCatalogTests.RunAsync(bench, pickleId);
}

/// <summary>The tree feature (it names bench "sim-tree") on wiring/double-tree.yaml's double, through `--bench sim-tree=...`.</summary>
[Collection(DoubleTreeCollection.Name)]
public sealed class DoubleTreeCatalogTests(DoubleTree bench)
{
    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            // Not the @cloud ones: the double has no network side (the cloud needs a hardware bench's network, not wired yet).
            .Where(p => p.Pickle.Steps.Any(s => s.Text == "the bench \"sim-tree\" is powered on") && !p.Tags.Contains("@cloud"))
            .Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[double-tree] {p.DisplayName}"));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Tree_Scenario_Passes_On_The_Bench_Double(string pickleId)
    {
        var result = await bench.Runner.RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
        Assert.Contains(bench.PowerLog(), line => line.EndsWith(" on", StringComparison.Ordinal));
    }
}
