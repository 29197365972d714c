using HilRig.Core.Wifi;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Testing;
using HilRig.Scenarios.StepDefinitions;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// Every @cloud and @gateway scenario on wiring/sim-chain-air.yaml, whose module lives in the network double
/// (docs/wiring.md "The bench network"): it joins through a veth pair in a namespace of its own, gets its address from
/// dnsmasq, finds every server by name through dnsmasq's DNS and checks each certificate against the bench CA. The
/// scenarios that name sim-chain-tls run there too. The @air scenarios name sim-chain-air themselves and run with the
/// rest of the catalogue. Skipped, with the reason, where the double cannot run (not root, no dnsmasq or udhcpc). The first
/// scenario of each feature and the network's own faults run in every run, the rest at night (<see cref="CatalogueTier"/>).
/// </summary>
public sealed class AirCatalogTests(AirCatalogTests.Runners runners) : IClassFixture<AirCatalogTests.Runners>
{
    private const string Bench = "sim-chain-air";

    private static IEnumerable<HilRig.Gherkin.Features.PickleInfo> Selected() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => (p.Tags.Contains("@cloud") || p.Tags.Contains("@gateway")) && !p.Tags.Contains("@air")
                && p.Pickle.Steps.All(s => !s.Text.StartsWith("the bench \"", StringComparison.Ordinal) || s.Text.StartsWith("the bench \"sim-chain-tls\"", StringComparison.Ordinal)));

    // Besides the first of each feature: those whose faults are the network's own (the link drops, a broker goes away).
    private static readonly IReadOnlySet<string> EveryRun = CatalogueTier.EveryRun(Selected(),
        Selected().Select(p => p.Name).Where(n => n.Contains("network drops", StringComparison.Ordinal) || n.Contains("broker restarts", StringComparison.Ordinal)).ToList());

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        Selected().Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[{Bench}] {p.DisplayName}"));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Cloud_Scenario_Passes_With_The_Module_In_The_Network_Double(string pickleId)
    {
        Assert.SkipWhen(NamespaceAir.Unavailable() is not null, $"the network double cannot run here: {NamespaceAir.Unavailable()}");
        CatalogueTier.SkipUnlessTaken(EveryRun, pickleId);
        var result = await runners.Runner().RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }

    /// <summary>One runner for the class: sim-chain-air by default and for every feature that names sim-chain-tls; the bench CA in a directory of its own.</summary>
    public sealed class Runners : IAsyncDisposable
    {
        private static readonly string Data = Path.Combine(ScenarioRunners.Root, "artifacts", "test-scenarios", Bench + "-data");
        private GherkinRunner? _runner;

        public GherkinRunner Runner()
        {
            lock (this)
            {
                if (_runner is null)
                {
                    var wiring = Path.Combine(ScenarioRunners.Root, "wiring", Bench + ".yaml");
                    var settings = RigSettings.ForRepository(ScenarioRunners.Root, wiring, Path.Combine("artifacts", "test-scenarios", Bench)) with
                    {
                        BenchOverrides = new Dictionary<string, string> { ["sim-chain-tls"] = wiring },
                        DataDirectory = Data,
                    };
                    _runner = new GherkinRunner([typeof(BenchSteps).Assembly], new RunOptions
                    {
                        BaseDirectory = ScenarioRunners.Root,
                        ConfigureServices = services => services.RegisterInstanceAs(settings),
                    });
                }
                return _runner;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_runner is not null) await _runner.DisposeAsync();
        }
    }
}
