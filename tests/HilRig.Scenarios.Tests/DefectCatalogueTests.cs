using HilRig.Bench.Chip;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Testing;
using HilRig.Scenarios.StepDefinitions;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The catalogue must catch broken firmware: for each named defect, every chip of the chain bench is
/// started with it and the catalogue runs (quick scenarios first, sweeps last) until a scenario fails.
/// A defect no scenario catches fails this test. The table of which scenario caught which defect is
/// written to artifacts/defects/table.md.
/// It takes about 14 minutes on two cores (the defects that only a sweep catches run the whole
/// catalogue first), so it is a nightly test: it runs when HILRIG_NIGHTLY=1 and is skipped otherwise.
/// DefectDetectionTests keeps a quick check of one defect in every run.
/// </summary>
public sealed class DefectCatalogueTests
{
    public static TheoryData<string> Defects() => new(ChipDefects.ByName.Keys.Order(StringComparer.Ordinal));

    private static readonly string TablePath = Path.Combine(ScenarioRunners.Root, "artifacts", "defects", "table.md");

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Catalogue_Fails_A_Scenario_When_Every_Chip_Has_The_Defect(string defect)
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("HILRIG_NIGHTLY") == "1",
            "nightly: the defect catalogue takes about 14 minutes; run it with HILRIG_NIGHTLY=1");
        var wiring = HilRig.Core.Wiring.WiringLoader.Load(Path.Combine(ScenarioRunners.Root, "wiring", "sim-chain.yaml"));
        var settings = RigSettings.ForRepository(ScenarioRunners.Root, Path.Combine("wiring", "sim-chain.yaml"), Path.Combine("artifacts", "defects", defect))
            with { ChipDefects = wiring.Chips.ToDictionary(c => c.Name, _ => (IReadOnlyList<string>)[defect]) };
        await using var runner = new GherkinRunner([typeof(BenchSteps).Assembly], new RunOptions
        {
            BaseDirectory = ScenarioRunners.Root,
            ConfigureServices = services => services.RegisterInstanceAs(settings),
        });
        // Quick scenarios first, the slow ones (sweeps, ten cuts) last: the run stops at the first failure.
        var pickles = PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .OrderBy(p => p.Tags.Contains("@slow") ? 1 : 0).ToList();
        string? caughtBy = null;
        string? message = null;
        var tried = 0;
        foreach (var pickle in pickles)
        {
            tried++;
            var result = await runner.RunPickleAsync(pickle.Id, TestContext.Current.CancellationToken);
            if (!result.Passed)
            {
                caughtBy = pickle.DisplayName;
                message = result.ErrorMessage?.Split('\n')[0];
                break;
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(TablePath)!);
        await File.AppendAllTextAsync(TablePath, $"| {defect} | {caughtBy ?? "NOT CAUGHT"} | {tried} | {message} |{Environment.NewLine}", TestContext.Current.CancellationToken);
        Assert.True(caughtBy is not null, $"no scenario of the catalogue ({pickles.Count} tried) failed with every chip running defect '{defect}'");
    }
}
