using System.Globalization;
using HilRig.Bench.Module;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;

namespace HilRig.Bench.Tests.Module;

/// <summary>The module's windowed transfer against one emulated chip wired straight to it (docs/protocol.md §7.3).</summary>
public sealed class WindowedTransferTests : IDisposable
{
    private const byte Chip = 0x12;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hilrig-windowed-");
    private ChipUnderTest _chip = new(Chip);

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(79)]
    public async Task A_cut_of_the_chip_alone_costs_at_most_one_window_When_the_module_asks_STATUS_after_the_silence(int cutAtData)
    {
        // The chip loses power at its n-th DATA and stays off until the module, after the silence, asks it STATUS: the
        // first request finds it booting, the next one is answered. The module streams nothing while it waits.
        var port = new LoopbackChain(_chip);
        var booting = false;
        port.BeforeDelivery = frame =>
        {
            if (frame.Type == MessageType.Data && port.DataFrames == cutAtData)
            {
                port.Off = true;
            }
            else if (frame.Type == MessageType.StatusRequest && port.Off)
            {
                // The power is back: this request reaches a chip still booting and is lost.
                _chip.PowerCycle();
                port.Off = false;
                booting = true;
            }
        };
        port.LoseOnTheWayDown = frame => booting && !(booting = false);
        var (upgrade, events, image) = await CampaignAsync(port, 40960);

        var finished = await upgrade.RunAsync(new ModuleState(events.Campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken);

        Assert.True(finished, events.Describe());
        Assert.Contains(events.All, e => e.Event == "transfer-resumed" && e.Chip == Chip);
        Assert.InRange(port.BytesSentAgain, 1, CampaignRequest.DefaultWindowBytes);
        Assert.Equal(image, _chip.ReadImageSlot(1, image.Length));
    }

    [Theory]
    [InlineData(true, 1.0, 1.4)]
    [InlineData(false, 1.4, 100)]
    public async Task A_link_losing_every_fifth_DATA_frame_costs_a_1_2_chip_only_the_lost_frames(bool selectiveAck, double minimumRatio, double maximumRatio)
    {
        // A 1.2 chip answers TRANSFER_OPTIONS with 21-byte DATA_ACKs and the module re-sends only what was lost; a 1.1 chip
        // ignores it, and the same module goes back N frames per loss (§7.3, §7.3.1). Both upgrade.
        _chip.Dispose();
        _chip = new ChipUnderTest(Chip, selectiveAck: selectiveAck);
        var port = new LoopbackChain(_chip);
        var data = 0;
        port.LoseOnTheWayDown = frame => frame.Type == MessageType.Data && ++data % 5 == 0;
        var (upgrade, events, image) = await CampaignAsync(port, 40960);

        var finished = await upgrade.RunAsync(new ModuleState(events.Campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken);

        Assert.True(finished, events.Describe());
        Assert.Equal(image, _chip.ReadImageSlot(1, image.Length));
        Assert.InRange((double)port.BytesSent / image.Length, minimumRatio, maximumRatio);
    }

    [Fact]
    public async Task A_chip_whose_selective_ack_claims_frames_it_never_wrote_fails_its_digest()
    {
        _chip.Dispose();
        _chip = new ChipUnderTest(Chip, defects: HilRig.Bench.Chip.ChipDefect.SelectiveAckClaimsUnwrittenFrames);
        var port = new LoopbackChain(_chip);
        var data = 0;
        port.LoseOnTheWayDown = frame => frame.Type == MessageType.Data && ++data % 5 == 0;
        var (upgrade, events, _) = await CampaignAsync(port, 40960);

        var finished = await upgrade.RunAsync(new ModuleState(events.Campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken);

        Assert.False(finished);
        Assert.Contains(events.All, e => e.Event == "campaign-failed" && e.Detail!.Contains("DigestMismatch", StringComparison.Ordinal));
    }

    private async Task<(ChainUpgrade Upgrade, Events Events, byte[] Image)> CampaignAsync(IChainPort port, int bodyBytes, ModuleDefect defects = ModuleDefect.None)
    {
        var image = SampleImages.Build(Chip, new FirmwareVersion(1, 1, 0), bodyBytes).Encode();
        var imagePath = Path.Combine(_dir.FullName, "chip.hrim");
        await File.WriteAllBytesAsync(imagePath, image, TestContext.Current.CancellationToken);
        var campaign = new CampaignRequest(0x5EE9, [Chip], new Dictionary<string, string> { [Chip.ToString(CultureInfo.InvariantCulture)] = imagePath });
        var events = new Events(campaign);
        return (new ChainUpgrade(port, new ModuleStateStore(Path.Combine(_dir.FullName, "state.json")), events.All.Add, defects), events, image);
    }

    private sealed record Events(CampaignRequest Campaign)
    {
        public List<ModuleEvent> All { get; } = [];

        public string Describe() => string.Join("; ", All.Select(e => $"{e.Event} {e.Chip} {e.Offset} {e.Detail}"));
    }

    public void Dispose()
    {
        _chip.Dispose();
        _dir.Delete(recursive: true);
    }
}
