using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Testing;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// Every scenario of the catalogue as its own test case. Features that start the run's bench ("Given the
/// bench is powered on") run on both virtual benches, except @slow and @cloud ones (on sim-chain only);
/// features that name their bench run once. The catalogue is split over <see cref="Parts"/> test classes, one bench
/// of each kind per class, which xunit runs at once (as <c>hilrig run</c> runs its virtual benches in parallel):
/// the longest scenarios are dealt out first, one to each part in turn, and the @alone ones
/// (<see cref="PickleSchedule.AloneTag"/>) go to a class of their own, in a collection that runs by itself.
/// </summary>
public static class ScenarioCatalogTests
{
    /// <summary>The virtual benches the bench-agnostic features run on.</summary>
    public static readonly string[] Benches = ["sim-chain", "sim-tree"];

    /// <summary>
    /// How many classes (benches of each kind) share the catalogue. xunit runs 3 test cases at once here (maxParallelThreads
    /// in xunit.runner.json), which the catalogue's 4 parts, the two chain doubles and the profile suites share. Five at
    /// once (two per core and one more, as `hilrig run` picks its virtual benches) took 11 min 43 s for all of .ci/run on a
    /// quiet machine, but the load it made (19) cost a timing-bound scenario in one run of three: power-cuts.feature:52 on
    /// sim-tree, whose chip check holds the links longer than the module's START tries last when the chip boots slowly.
    /// </summary>
    public const int Parts = 4;

    /// <summary>The test cases of part <paramref name="part"/> (1..<see cref="Parts"/>), or the @alone ones (part 0).</summary>
    public static IEnumerable<TheoryDataRow<string, string>> Part(int part)
    {
        var rows = new List<(string Bench, HilRig.Gherkin.Features.PickleInfo Pickle, string Label)>();
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
                rows.Add((bench, pickle, namesItsBench ? "own bench" : bench));
            }
        }
        var mine = part == 0 ? rows.Where(r => PickleSchedule.RunsAlone(r.Pickle)) : Deal(rows.Where(r => !PickleSchedule.RunsAlone(r.Pickle)), r => r.Pickle, Parts, part);
        return mine.Select(r => new TheoryDataRow<string, string>(r.Bench, r.Pickle.Id).WithTestDisplayName($"[{r.Label}] {r.Pickle.DisplayName}"));
    }

    /// <summary>
    /// Part <paramref name="part"/> (1..<paramref name="parts"/>) of <paramref name="rows"/>: longest first (the same estimate as a run with
    /// no earlier report), dealt out in turn, a stable split.
    /// </summary>
    public static IEnumerable<T> Deal<T>(IEnumerable<T> rows, Func<T, HilRig.Gherkin.Features.PickleInfo> pickleOf, int parts, int part)
    {
        var noDurations = new Dictionary<string, TimeSpan>();
        return rows.OrderByDescending(r => PickleSchedule.Estimate(pickleOf(r), noDurations)).Where((_, i) => i % parts == part - 1).ToList();
    }

    /// <summary>Runs one test case on its part's bench.</summary>
    public static async Task RunAsync(ScenarioRunners runners, int part, string bench, string pickleId)
    {
        var result = await runners.For(bench, part).RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }
}

/// <summary>Part 1 of the catalogue (<see cref="ScenarioCatalogTests"/>).</summary>
public sealed class ScenarioCatalogPart1Tests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string, string>> Scenarios() => ScenarioCatalogTests.Part(1);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Virtual_Bench(string bench, string pickleId) => ScenarioCatalogTests.RunAsync(runners, 1, bench, pickleId);
}

/// <summary>Part 2 of the catalogue (<see cref="ScenarioCatalogTests"/>).</summary>
public sealed class ScenarioCatalogPart2Tests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string, string>> Scenarios() => ScenarioCatalogTests.Part(2);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Virtual_Bench(string bench, string pickleId) => ScenarioCatalogTests.RunAsync(runners, 2, bench, pickleId);
}

/// <summary>Part 3 of the catalogue (<see cref="ScenarioCatalogTests"/>).</summary>
public sealed class ScenarioCatalogPart3Tests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string, string>> Scenarios() => ScenarioCatalogTests.Part(3);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Virtual_Bench(string bench, string pickleId) => ScenarioCatalogTests.RunAsync(runners, 3, bench, pickleId);
}

/// <summary>Part 4 of the catalogue (<see cref="ScenarioCatalogTests"/>).</summary>
public sealed class ScenarioCatalogPart4Tests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string, string>> Scenarios() => ScenarioCatalogTests.Part(4);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Virtual_Bench(string bench, string pickleId) => ScenarioCatalogTests.RunAsync(runners, 4, bench, pickleId);
}

/// <summary>The catalogue's @alone scenarios (a broker restarted on its port), in a collection that runs by itself.</summary>
[Collection(AloneCollection.Name)]
public sealed class ScenarioCatalogAloneTests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string, string>> Scenarios() => ScenarioCatalogTests.Part(0);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_Passes_On_The_Virtual_Bench_Alone(string bench, string pickleId) => ScenarioCatalogTests.RunAsync(runners, 0, bench, pickleId);

    [Fact]
    public void The_parts_hold_every_test_case_once()
    {
        var all = Enumerable.Range(0, ScenarioCatalogTests.Parts + 1).SelectMany(ScenarioCatalogTests.Part).Select(r => $"{r.Data.Item1} {r.Data.Item2}").ToList();
        Assert.Equal(all.Distinct(), all);
        Assert.NotEmpty(ScenarioCatalogTests.Part(0));
        Assert.All(Enumerable.Range(1, ScenarioCatalogTests.Parts), part => Assert.NotEmpty(ScenarioCatalogTests.Part(part)));
    }
}

/// <summary>The @alone scenarios' collection: not run in parallel with anything else in this assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "@alone scenarios, run alone";
}
