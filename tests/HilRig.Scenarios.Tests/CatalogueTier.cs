using HilRig.Gherkin.Features;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// Which scenarios a profile suite (the catalogue again on mosquitto brokers, on the network double, on QEMU chips) runs
/// in every test run, and which only at night. The catalogue itself runs whole in every run (ScenarioCatalogTests); a
/// profile repeats scenarios to prove that what the profile changes (the brokers, the network stack, the chips'
/// firmware) carries the features: every run takes the first scenario of each feature and the ones a suite names, the
/// nightly run (HILRIG_NIGHTLY=1, as DefectCatalogueTests) takes them all. The others are listed and skipped with the
/// reason, so the totals line shows what a quick run left to the night.
/// </summary>
public static class CatalogueTier
{
    /// <summary>The variable that makes a run the nightly one.</summary>
    public const string NightlyVariable = "HILRIG_NIGHTLY";

    /// <summary>True in the nightly run (every scenario of every profile suite).</summary>
    public static bool Nightly => Environment.GetEnvironmentVariable(NightlyVariable) == "1";

    /// <summary>
    /// The scenarios of <paramref name="selection"/> that every run takes: the first of each feature (by line) and those named in
    /// <paramref name="alsoEveryRun"/> (scenario names).
    /// </summary>
    public static IReadOnlySet<string> EveryRun(IEnumerable<PickleInfo> selection, IReadOnlyCollection<string> alsoEveryRun)
    {
        var list = selection.ToList();
        var firsts = list.GroupBy(p => p.Feature.Uri).Select(g => g.OrderBy(p => p.Line).First());
        return firsts.Concat(list.Where(p => alsoEveryRun.Contains(p.Name))).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Skips the calling test unless this run takes <paramref name="pickleId"/>; <paramref name="everyRunElsewhere"/> says where it runs in every run.</summary>
    public static void SkipUnlessTaken(IReadOnlySet<string> everyRun, string pickleId, string everyRunElsewhere = "on sim-chain")
    {
        Assert.SkipUnless(Nightly || everyRun.Contains(pickleId),
            $"nightly tier: this profile runs the first scenario of each feature in every run and the rest at night ({NightlyVariable}=1); the scenario runs in every run {everyRunElsewhere}");
    }
}
