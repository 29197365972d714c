using System.Globalization;
using System.Xml.Linq;
using HilRig.Core.Bench;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Control;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using HilRig.Scenarios.Support;
using HilRig.Service.Live;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// Chips written in C (the reference chip, host build and on QEMU) report their modes through the chip record
/// (docs/protocol.md §11.2), so timeline.svg and the live page show their mode lanes as they do for the
/// emulated chip. An upgrade of chip2 on the bench, then a power cycle of chip2: after it only the chip's own
/// boot record can tell its mode (no frame passes).
/// </summary>
public sealed class ChipProfileModesTests
{
    private static readonly TimeSpan CampaignTimeout = TimeSpan.FromSeconds(120);
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData("sim-chain-c.yaml")]
    [InlineData("sim-chain-qemu.yaml")]
    public async Task ChipModes_ShowOnThePictureAndTheLivePage_When_ChipsRunTheCFirmware(string wiringName)
    {
        Assert.SkipUnless(OnPath("gcc") && OnPath("make"), "the reference chip's build needs gcc and make on PATH");
        if (wiringName.Contains("qemu", StringComparison.Ordinal))
        {
            Assert.SkipUnless(OnPath("qemu-system-arm") && OnPath("arm-none-eabi-gcc"),
                "the QEMU profile needs qemu-system-arm and arm-none-eabi-gcc on PATH (./setup.sh qemu)");
        }
        var token = TestContext.Current.CancellationToken;
        var root = RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);
        var reports = Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N"), "reports");
        var wiring = WiringLoader.Load(Path.Combine(root, "wiring", wiringName));
        await using var bench = VirtualBench.Create(wiring, new BenchOptions(Path.Combine(reports, "scenarios", "c-profile")));
        await bench.PowerOnAllAsync(token);
        var image = Path.Combine(root, "firmware-images", "images", "chip-12-v1.1.0.hrim");

        await bench.Server.SendCampaignAsync(new CampaignRequest(7, [0x12], new Dictionary<string, string> { ["18"] = image }), TimeSpan.FromSeconds(20), token);
        var end = await bench.Server.WaitForEventAsync(e => e.Event is "campaign-complete" or "campaign-failed", "campaign end", CampaignTimeout, token);
        Assert.Equal("campaign-complete", end.Event);
        var onAtMs = bench.Timeline.NowMs;
        await bench.Power("chip2").OffAsync(token);
        await bench.Power("chip2").OnAsync(token);
        var boot = (await bench.Timeline.WaitForAsync(e => e.Source == "chip2" && e.AtMs > onAtMs && e.Chip is { Event: ChipRecord.Boot },
            1, "chip2's boot record after the power cycle", TimeSpan.FromSeconds(60), token))[0];

        var events = bench.Timeline.Snapshot();
        Assert.Contains(events, e => e.Source == "chip2" && e.Chip is { Event: ChipRecord.Mark, Mode: ChipMode.Upgrade });
        Assert.DoesNotContain(events, e => e.Kind == TimelineKind.Error && e.Summary.Contains("chip record", StringComparison.Ordinal));
        var svg = XDocument.Parse(TimelineSvg.Render(events, TimelineSvgOptions.FromWiring(wiring, wiringName))).Root!;
        var chip2 = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("data-chip") == "chip2" && r.Attribute("data-mode") is not null).ToList();
        Assert.Contains(chip2, b => (string?)b.Attribute("data-mode") == nameof(ChipMode.Upgrade));
        var last = chip2.MaxBy(b => double.Parse((string)b.Attribute("data-from-ms")!, CultureInfo.InvariantCulture))!;
        Assert.Equal((nameof(ChipMode.Initial), boot.AtMs.ToString("0.000", CultureInfo.InvariantCulture)),
            ((string?)last.Attribute("data-mode"), (string?)last.Attribute("data-from-ms")));

        var live = LiveView.Build(reports, wiring, since: 0);
        var shown = Assert.Single(live.Chips, c => c.Name == "chip2");
        Assert.Equal((nameof(ChipMode.Initial), "1.1.0"), (shown.Mode, shown.Version));
        Assert.True(shown.Size > 0 && shown.Offset == shown.Size, $"chip2's transfer shows {shown.Offset} of {shown.Size} bytes after its COMPLETE");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));
}
