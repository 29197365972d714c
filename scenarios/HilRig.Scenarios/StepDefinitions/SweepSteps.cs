using HilRig.Core.Faults.Sweeps;
using HilRig.Core.Wiring;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Control;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps that sweep a power cut over every frame boundary or flash operation of a chip's transfer.</summary>
[Binding]
public sealed class SweepSteps(BenchDriver bench, RigSettings settings, ScenarioRun scenario)
{
    private SweepReport? _report;

    [When(@"^the power is cut at every (frame boundary of|flash operation of) (\w+)'s transfer$")]
    public async Task WhenThePowerIsCutAtEveryPoint(string where, string chip)
    {
        var wiring = WiringLoader.Load(settings.WiringPath);
        if (wiring.Chips.All(c => c.Name != chip))
        {
            throw new ArgumentException($"bench {wiring.Name} has no chip '{chip}'");
        }
        var kind = where.StartsWith("frame", StringComparison.Ordinal) ? SweepKind.FrameBoundary : SweepKind.FlashOperation;
        if (kind == SweepKind.FlashOperation && wiring.Kind == BenchKind.Hardware)
        {
            throw new SkipScenarioException($"bench '{wiring.Name}' runs boards: the flash-operation sweep needs chips that cut their own power inside a planned flash operation (the emulated chips of a virtual bench)");
        }
        _report = await PowerCutSweep.RunAsync(wiring, chip, kind, new SweepOptions(Path.Combine(bench.ArtifactsDirectory, "sweep"))
        {
            Seed = settings.Seed,
            ChipDefects = settings.ChipDefects,
        }, scenario.RunCancellation);
        scenario.Attach("sweep.md", "text/markdown", _report.Render());
    }

    [Then("every cut point recovered and no chip was bricked")]
    public void ThenEveryCutPointRecovered()
    {
        var report = _report ?? throw new InvalidOperationException("no sweep ran in this scenario");
        Expect.That(report.Points.Count > 0, "the sweep found no cut point");
        Expect.That(report.Recovered == report.Points.Count && report.Bricked == 0, report.Render());
    }

    [Then("at most one window of image bytes was sent again at any cut point")]
    public void ThenAtMostOneWindowWasResent()
    {
        var report = _report ?? throw new InvalidOperationException("no sweep ran in this scenario");
        Expect.That(report.MaxBytesResent <= CampaignRequest.DefaultWindowBytes,
            $"a cut cost {report.MaxBytesResent} bytes sent again, more than one window ({CampaignRequest.DefaultWindowBytes}){Environment.NewLine}{report.Render()}");
    }
}
