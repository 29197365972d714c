using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Core.Double;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using Xunit;

namespace HilRig.Core.Tests.Bench;

/// <summary>
/// What every bench promises the code above the seam (the dotnet/iot contract pattern, lifted from power switches to
/// the bench): powered on, every chip answers through its relay; a chip switched off falls silent and its sensor reads
/// nothing, switched on it answers again; the relays see the chain's frames; a campaign handed to the module's channel
/// runs; and disposing leaves every node off. Run against the virtual bench and against a hardware bench on a double.
/// </summary>
public abstract class BenchContract : IAsyncLifetime
{
    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected static string Root { get; } = FindRoot();

    /// <summary>The bench under test, powered on.</summary>
    protected IBench Bench { get; private set; } = null!;

    /// <summary>Creates the bench (nodes off).</summary>
    protected abstract Task<IBench> CreateAsync(string artifacts);

    /// <summary>Whether any node of the bench is still powered, as the power backend itself tells (not the bench).</summary>
    protected abstract bool AnyNodePowered();

    public async ValueTask InitializeAsync()
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "hilrig-bench-contract", Guid.NewGuid().ToString("N"));
        Bench = await CreateAsync(artifacts);
        await Bench.PowerOnAllAsync(Token);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Bench.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Every_chip_answers_status_through_its_relay_once_powered()
    {
        var statuses = await Bench.Probe.QueryAllAsync(Token);
        Assert.All(Bench.Wiring.Chips, c => Assert.Equal(ChipMode.Initial, Assert.IsType<StatusPayload>(statuses[c.Name]).Mode));
        Assert.Equal(Bench.Wiring.Chips.Select(c => c.Name).Order(), Bench.RelaysByChip.Keys.Order());
    }

    [Fact]
    public async Task A_chip_switched_off_is_silent_and_draws_nothing_and_answers_again_when_switched_on()
    {
        var chip = Bench.Wiring.Chips[^1].Name;
        await Bench.Power(chip).OffAsync(Token);
        Assert.False(Bench.Power(chip).IsOn);
        Assert.Null(await Bench.Probe.QueryStatusAsync(chip, Token));
        if (Bench.Sensor(chip) is { } sensor)
        {
            Assert.True(await sensor.ReadMilliampsAsync(Token) < sensor.DeadBelowMilliamps, "a switched-off chip still draws current");
        }

        await Bench.Power(chip).OnAsync(Token);
        await Bench.WaitBootedAsync(chip, Token);
        var status = await Bench.Probe.WaitUntilAnswersAsync(chip, Bench.Options.BootTimeout, Token);
        Assert.Equal(ChipMode.Initial, status.Mode);
        if (Bench.Sensor(chip) is { } awake)
        {
            Assert.True(await awake.ReadMilliampsAsync(Token) >= awake.DeadBelowMilliamps, "a chip that answers reads as drawing nothing");
        }
    }

    [Fact]
    public async Task A_campaign_handed_to_the_module_runs_and_the_relays_see_its_frames()
    {
        var target = Bench.Wiring.Chips[^1];
        var seen = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        Bench.RelaysByChip[target.Name].Observed += o =>
        {
            if (o.Direction == Direction.Downstream && o.Item is DecodedFrame { Frame: { Type: MessageType.Start } f }) seen.TrySetResult(f);
        };
        var image = Path.Combine(Root, "firmware-images", "images", $"chip-{target.ModelId:x2}-v1.1.0.hrim");
        await Bench.Server.SendCampaignAsync(new CampaignRequest(0x7001, [target.ModelId],
            new Dictionary<string, string> { [target.ModelId.ToString(CultureInfo.InvariantCulture)] = image }), TimeSpan.FromSeconds(20), Token);
        var end = await Bench.Server.WaitForEventAsync(HilRig.Core.Servers.ModuleControlServer.IsCampaignEnd, "the end of the campaign", TimeSpan.FromSeconds(60), Token);

        Assert.Equal("campaign-complete", end.Event);
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(1), Token);
        var status = await Bench.Probe.QueryStatusWithRetriesAsync(target.Name, Token);
        Assert.Equal(FirmwareVersion.Parse("1.1.0"), status!.ActiveVersion);
    }

    [Fact]
    public async Task Disposing_the_bench_leaves_every_node_off()
    {
        await Bench.DisposeAsync();
        Assert.False(AnyNodePowered(), "a node is still powered after the bench was disposed");
        // Disposed twice by the fixture: the second time must be harmless too.
    }

    private static string FindRoot() => TestRepository.Root;
}

/// <summary>The contract on the virtual bench (wiring/sim-chain.yaml, without its cloud).</summary>
public sealed class VirtualBenchContract : BenchContract
{
    private string _flash = "";

    protected override Task<IBench> CreateAsync(string artifacts)
    {
        _flash = Path.Combine(artifacts, "flash");
        var wiring = WiringLoader.Load(Path.Combine(Root, "wiring", "sim-chain.yaml"));
        return Task.FromResult(BenchFactory.Create(wiring, new BenchOptions(artifacts) { StartCloud = false }));
    }

    /// <summary>An emulated node is powered while its process runs: any process still naming this bench's flash files.</summary>
    protected override bool AnyNodePowered() =>
        Directory.EnumerateDirectories("/proc").Any(d => int.TryParse(Path.GetFileName(d), out _) && CommandLine(d).Contains(_flash, StringComparison.Ordinal));

    private static string CommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>
/// The contract on a hardware bench: a copy of wiring/double-chain.yaml pointed at a double of its own, built in this
/// process (the rig's code is the same whoever starts the double).
/// </summary>
public sealed class HardwareBenchContract : BenchContract
{
    private BenchDouble? _double;

    protected override Task<IBench> CreateAsync(string artifacts)
    {
        var wiringPath = DoubleWiring.Relocate(Path.Combine(Root, "wiring", "double-chain.yaml"), artifacts);
        var folder = Path.Combine(artifacts, "double");
        var wiring = WiringLoader.Load(wiringPath);
        _double = BenchDouble.Start(wiring, new BenchDoubleOptions(folder));
        return Task.FromResult(BenchFactory.Create(wiring, new BenchOptions(Path.Combine(artifacts, "rig"))));
    }

    protected override bool AnyNodePowered() => _double!.Chips.Any(_double.IsOn);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_double is not null) await _double.DisposeAsync();
    }
}
