using System.Globalization;
using HilRig.Bench.Module;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;

namespace HilRig.Bench.Tests.Module;

/// <summary>The module's side of a campaign against a scripted chain (frames in, frames out, no ptys).</summary>
public sealed class ChainUpgradeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hilrig-chainupgrade-");

    [Fact]
    public async Task A_COMPLETE_that_answers_START_ends_the_chip_s_upgrade()
    {
        // Seen on QEMU chips under load: the target finished its transfer while its acknowledgements were still
        // queued in a slow pass-through chip; the module, silent for five periods, sent START again, and the
        // target's COMPLETE came back in answer. It must end the chip's upgrade, not be ignored until the START
        // tries run out (docs/protocol.md §7.3: a COMPLETE from the target ends the transfer at any point).
        const byte chip = 0x12;
        const uint campaignId = 0x5EE9;
        var image = SampleImages.Build(chip, new FirmwareVersion(1, 1, 0), 1024);
        var imagePath = Path.Combine(_dir.FullName, "chip.hrim");
        await File.WriteAllBytesAsync(imagePath, image.Encode(), TestContext.Current.CancellationToken);
        var campaign = new CampaignRequest(campaignId, [chip], new Dictionary<string, string> { [chip.ToString(CultureInfo.InvariantCulture)] = imagePath });
        var port = new ScriptedChain(start => new Frame(MessageType.Complete, Address.Module, chip, 1,
            new CompletePayload(start.CampaignId, chip, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode()));
        var events = new List<ModuleEvent>();
        var upgrade = new ChainUpgrade(port, new ModuleStateStore(Path.Combine(_dir.FullName, "state.json")), events.Add);

        var finished = await upgrade.RunAsync(new ModuleState(campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken);

        Assert.True(finished, string.Join("; ", events.Select(e => $"{e.Event} {e.Chip} {e.Detail}")));
        Assert.Equal(1, port.StartsSent);
        Assert.Contains(events, e => e.Event == "chip-complete" && e.Chip == chip && e.Detail == "1.1.0");
        Assert.Equal("campaign-complete", events[^1].Event);
    }

    [Fact]
    public async Task A_COMPLETE_of_another_campaign_does_not_answer_START()
    {
        const byte chip = 0x12;
        var image = SampleImages.Build(chip, new FirmwareVersion(1, 1, 0), 1024);
        var imagePath = Path.Combine(_dir.FullName, "chip.hrim");
        await File.WriteAllBytesAsync(imagePath, image.Encode(), TestContext.Current.CancellationToken);
        var campaign = new CampaignRequest(7, [chip], new Dictionary<string, string> { [chip.ToString(CultureInfo.InvariantCulture)] = imagePath });
        var port = new ScriptedChain(start => new Frame(MessageType.Complete, Address.Module, chip, 1,
            new CompletePayload(start.CampaignId + 1, chip, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode()));
        var events = new List<ModuleEvent>();
        var upgrade = new ChainUpgrade(port, new ModuleStateStore(Path.Combine(_dir.FullName, "state.json")), events.Add);

        var finished = await upgrade.RunAsync(new ModuleState(campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken);

        Assert.False(finished);
        Assert.Equal(ChainUpgrade.MaxTries, port.StartsSent);
        Assert.Contains(events, e => e.Event == "campaign-failed" && e.Detail!.Contains("no START_ACK", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_outcome_that_could_not_be_reported_stays_saved_as_unreported()
    {
        // The power goes as the module reports the end of its campaign: the saved state says the campaign finished
        // and keeps the outcome for the next boot to report (ModuleHost reports it then).
        var (campaign, port) = await OneChipCampaignAnsweredByCompleteAsync();
        var store = new ModuleStateStore(Path.Combine(_dir.FullName, "state.json"));
        var upgrade = new ChainUpgrade(port, store, e =>
        {
            if (e.Event == "campaign-complete") throw new OperationCanceledException("the power went");
        });

        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            upgrade.RunAsync(new ModuleState(campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken));

        var saved = store.Load();
        Assert.True(saved.Finished);
        Assert.Equal("campaign-complete", saved.Unreported?.Event);
    }

    [Fact]
    public async Task A_reported_outcome_is_not_kept()
    {
        var (campaign, port) = await OneChipCampaignAnsweredByCompleteAsync();
        var store = new ModuleStateStore(Path.Combine(_dir.FullName, "state.json"));
        var upgrade = new ChainUpgrade(port, store, _ => { });

        Assert.True(await upgrade.RunAsync(new ModuleState(campaign, Prepared: true, NextIndex: 0, Finished: false), TestContext.Current.CancellationToken));

        var saved = store.Load();
        Assert.True(saved.Finished);
        Assert.Null(saved.Unreported);
    }

    /// <summary>A campaign for chip 0x12 whose START the chain answers with the chip's COMPLETE (the image is already there).</summary>
    private async Task<(CampaignRequest Campaign, ScriptedChain Port)> OneChipCampaignAnsweredByCompleteAsync()
    {
        const byte chip = 0x12;
        var imagePath = Path.Combine(_dir.FullName, "chip.hrim");
        await File.WriteAllBytesAsync(imagePath, SampleImages.Build(chip, new FirmwareVersion(1, 1, 0), 1024).Encode(), TestContext.Current.CancellationToken);
        var campaign = new CampaignRequest(7, [chip], new Dictionary<string, string> { [chip.ToString(CultureInfo.InvariantCulture)] = imagePath });
        return (campaign, new ScriptedChain(start => new Frame(MessageType.Complete, Address.Module, chip, 1,
            new CompletePayload(start.CampaignId, chip, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode())));
    }

    [Theory]
    [InlineData(ModuleDefect.None, 0)]
    [InlineData(ModuleDefect.DataBeforeStartAnswers, 1)]
    public async Task No_image_data_goes_out_while_a_chip_of_the_topology_has_not_answered_START(ModuleDefect defects, int minimumData)
    {
        // docs/protocol.md §7.2 (1.1): chip 0x11's START_ACK carries its own answer and 0x12's, but 0x13 (below the target)
        // is missing: the module reports it, sends START again, and fails the campaign for the target naming 0x13.
        const byte target = 0x12;
        var image = SampleImages.Build(target, new FirmwareVersion(1, 1, 0), 1024);
        var imagePath = Path.Combine(_dir.FullName, "chip.hrim");
        await File.WriteAllBytesAsync(imagePath, image.Encode(), TestContext.Current.CancellationToken);
        var campaign = new CampaignRequest(9, [target], new Dictionary<string, string> { [target.ToString(CultureInfo.InvariantCulture)] = imagePath });
        var port = new ScriptedChain(start => new Frame(MessageType.StartAck, Address.Module, 0x11, 1,
            new StartAckPayload(start.CampaignId, 0x11, ChipMode.PassThrough, 0, StartStatus.Ok) { Below = [new StartAnswer(target, ChipMode.Upgrade, 0, StartStatus.Ok)] }.Encode()));
        var events = new List<ModuleEvent>();
        var upgrade = new ChainUpgrade(port, new ModuleStateStore(Path.Combine(_dir.FullName, "state.json")), events.Add, defects);
        // The defective module streams into a chain that never acknowledges: it is stopped once it had its chance.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(defects == ModuleDefect.None ? 20 : 3));

        bool finished;
        try
        {
            finished = await upgrade.RunAsync(new ModuleState(campaign, Prepared: true, NextIndex: 0, Finished: false, Chips: [0x11, 0x12, 0x13]), stop.Token);
        }
        catch (OperationCanceledException) when (defects != ModuleDefect.None)
        {
            finished = false;
        }

        Assert.False(finished);
        if (defects == ModuleDefect.None)
        {
            Assert.Equal(0, port.DataSent);
            Assert.Equal(ChainUpgrade.MaxTries, events.Count(e => e.Event == "start-answers-missing" && e.Chip == target && e.Detail!.Contains("0x13", StringComparison.Ordinal)));
            Assert.Contains(events, e => e.Event == "campaign-failed" && e.Chip == target && e.Detail!.Contains("no START answer from chip 0x13", StringComparison.Ordinal));
        }
        else
        {
            Assert.True(port.DataSent >= minimumData, "the defective module should have streamed image data on the target's answer alone");
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>Answers every START with the frame <c>answer</c> makes; everything else goes unanswered.</summary>
    private sealed class ScriptedChain(Func<StartPayload, Frame> answer) : IChainPort
    {
        private readonly ModuleInbox _toModule = new();

        public int StartsSent { get; private set; }

        public int DataSent { get; private set; }

        public void Send(Frame frame)
        {
            if (frame.Type == MessageType.Data)
            {
                DataSent++;
            }
            if (frame.Type == MessageType.Start && StartPayload.TryDecode(frame.Payload, out _) is { } start)
            {
                StartsSent++;
                _toModule.Put(answer(start));
            }
        }

        public ValueTask<Frame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
            _toModule.ReceiveAsync(timeout, cancellationToken);
    }
}
