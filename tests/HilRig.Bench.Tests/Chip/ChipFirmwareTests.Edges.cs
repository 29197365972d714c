using HilRig.Bench.Chip;
using HilRig.Protocol.Images;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Chip;

/// <summary>
/// The edges of the chip's decisions that whole upgrades do not reach: slot sizes at the limit, the second upgrade that
/// goes back to slot A, what makes a START a resume or ALREADY_UPGRADED, PREPARE's aggregation rules, the checks of a
/// received image (docs/protocol.md §6.2, §7.1, §7.3, §7.4, §10). Written from the survivors of bench/mutation.sh.
/// </summary>
public sealed partial class ChipFirmwareTests
{
    [Fact]
    public void Start_AcceptsAnImageThatFillsTheSlot_And_RefusesOneByteMore()
    {
        using var chip = new ChipUnderTest(Chip3);
        var slot = chip.Layout.SlotSizeBytes;
        var fits = SampleImages.Build(Chip3, new(1, 1, 0), slot - ImageHeader.SizeBytes).Header;
        var tooBig = SampleImages.Build(Chip3, new(1, 1, 0), slot - ImageHeader.SizeBytes + 1).Header;

        Assert.Equal(StartStatus.ImageTooLarge, Payload.StartAck(Assert.Single(chip.Start(Chip3, tooBig))).Status);
        Assert.Equal(StartStatus.Ok, Payload.StartAck(Assert.Single(chip.Start(Chip3, fits))).Status);
    }

    [Fact]
    public void Transfer_GoesBackToSlotA_OverItsOldImage_When_TheChipIsUpgradedASecondTime()
    {
        // DATA frames of 1000 bytes start sectors in the middle of a frame; slot A still holds the factory image, so a
        // sector that is not erased before its first write would leave old bits in the new image (§10.2).
        using var chip = new ChipUnderTest(Chip3);
        var first = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(first, 0, first.Length);
        var second = SampleImages.Build(Chip3, new(1, 2, 0), 3 * 4096 + 900);
        var bytes = second.Encode();

        chip.Start(Chip3, second.Header, ChipUnderTest.Campaign + 1);
        var sent = new List<SentFrame>();
        for (var offset = 0; offset < bytes.Length; offset += 1000)
        {
            sent.AddRange(chip.Data((uint)offset, bytes.AsSpan(offset, Math.Min(1000, bytes.Length - offset))));
        }

        Assert.Equal(CompleteStatus.Activated, Payload.Complete(sent[^1]).Status);
        Assert.Equal((byte)0, chip.Firmware.Mark.ActiveSlot);
        Assert.Equal(bytes, chip.ReadImageSlot(0, bytes.Length));
        Assert.Equal(first, chip.ReadImageSlot(1, first.Length));
        Assert.Equal(new FirmwareVersion(1, 2, 0), chip.Firmware.ActiveVersion);
    }

    [Fact]
    public void Start_IsANewTransfer_When_TheDoneImageDiffersInCampaignOrDigest()
    {
        var header = SampleImages.Build(Chip3, new(1, 1, 0), 3 * 4096 + 700).Header; // ChipUnderTest.NewImage of chip 0x13
        foreach (var (campaign, digest) in new[] { (ChipUnderTest.Campaign, new byte[32]), (ChipUnderTest.Campaign + 1, header.BodySha256) })
        {
            using var chip = new ChipUnderTest(Chip3, mark: MemoryMarkRecord.Factory with
            {
                State = UpgradeState.Done, CampaignId = campaign, ImageDigest = digest, ImageSizeBytes = header.ImageSizeBytes,
            });

            var ack = Payload.StartAck(Assert.Single(chip.Start(Chip3, header)));

            Assert.Equal(new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Upgrade, 0, StartStatus.Ok), ack);
        }
    }

    [Fact]
    public void Start_ResumesOnlyFromUpgradeMode_When_TheMarkSaysReceiving()
    {
        // §6.2 step 3: resuming needs mode UPGRADE; a transfer ended by a COMPLETE (mode INITIAL, state RECEIVING) starts over.
        var header = SampleImages.Build(Chip3, new(1, 1, 0), 3 * 4096 + 700).Header; // ChipUnderTest.NewImage of chip 0x13
        foreach (var (mode, resume) in new[] { (ChipMode.Upgrade, 4096u), (ChipMode.Initial, 0u) })
        {
            using var chip = new ChipUnderTest(Chip3, mark: MemoryMarkRecord.Factory with
            {
                Mode = mode, State = UpgradeState.Receiving, CampaignId = ChipUnderTest.Campaign, ImageDigest = header.BodySha256,
                ImageSizeBytes = header.ImageSizeBytes, PersistedOffset = 4096,
            });

            Assert.Equal(resume, Payload.StartAck(Assert.Single(chip.Start(Chip3, header))).ResumeOffset);
        }
    }

    [Fact]
    public void Start_ForAnotherChip_LeavesTheMarkAlone_When_NothingChanges_And_PassesThroughIdle_When_DoneElsewhere()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign - 1));
        chip.Start(Chip3, chip.NewImage.Header);
        chip.AnswerStartFromBelow(1, Chip2, ChipMode.PassThrough);
        var mark = chip.Firmware.Mark;

        chip.Start(Chip3, chip.NewImage.Header);
        var again = Assert.Single(chip.AnswerStartFromBelow(1, Chip2, ChipMode.PassThrough));

        Assert.Equal((ChipMode.PassThrough, UpgradeState.Idle, ChipUnderTest.Campaign), (mark.Mode, mark.State, mark.CampaignId));
        Assert.Equal(mark.Sequence, chip.Firmware.Mark.Sequence);
        Assert.Equal(ChipMode.PassThrough, Payload.StartAck(again).Mode);
    }

    [Fact]
    public void Frames_The_Chip_Sends_Carry_Rising_Sequence_Numbers()
    {
        using var chip = new ChipUnderTest(Chip1);

        var first = Assert.Single(chip.Deliver(0, MessageType.StatusRequest, Chip1, Address.Rig, []));
        var second = Assert.Single(chip.Deliver(0, MessageType.StatusRequest, Chip1, Address.Rig, []));

        Assert.Equal((byte)(first.Frame.Sequence + 1), second.Frame.Sequence);
    }

    [Fact]
    public void Complete_ThatDoesNotDecode_LeavesASleepingChipAsleep()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.Sleep));

        var sent = chip.Deliver(1, MessageType.Complete, Address.Broadcast, Chip3, [1, 2, 3]);

        Assert.Empty(sent);
        Assert.Equal(ChipMode.Sleep, chip.Firmware.Mode);
    }

    [Fact]
    public void Verify_RefusesAReceivedImage_When_ItsHeaderNamesAnotherModelOrSize()
    {
        using var chip = new ChipUnderTest(Chip3);
        var announced = chip.NewImage;
        var size = (int)announced.Header.ImageSizeBytes;
        var otherModel = SampleImages.Build(Chip2, new(1, 1, 0), size - ImageHeader.SizeBytes).Encode();
        var smaller = SampleImages.Build(Chip3, new(1, 1, 0), size - ImageHeader.SizeBytes - 10).Encode();
        foreach (var (received, campaign) in new[] { (otherModel, ChipUnderTest.Campaign), ([.. smaller, .. new byte[10]], ChipUnderTest.Campaign + 1) })
        {
            chip.Start(Chip3, announced.Header, campaign);

            var sent = chip.Stream(received, 0, received.Length);

            Assert.Equal(CompleteStatus.BadHeader, Payload.Complete(sent[^1]).Status);
            Assert.Equal((byte)0, chip.Firmware.Mark.ActiveSlot);
        }
    }

    [Fact]
    public void Prepare_AbandoningACampaign_KeepsADoneState_And_ClearsAnyOther()
    {
        foreach (var (state, kept) in new[] { (UpgradeState.Done, UpgradeState.Done), (UpgradeState.Receiving, UpgradeState.Idle) })
        {
            using var chip = new ChipUnderTest(Chip3, mark: MemoryMarkRecord.Factory with { Mode = ChipMode.PassThrough, State = state, CampaignId = ChipUnderTest.Campaign });

            var ack = Payload.PrepareAck(Assert.Single(chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign + 1, 2000).Encode())));

            Assert.Equal(PrepareStatus.Ready, ack.Status);
            Assert.Equal((ChipMode.Initial, kept), (chip.Firmware.Mark.Mode, chip.Firmware.Mark.State));
        }
    }

    [Fact]
    public void Prepare_WithABudgetNoLargerThanTwoMargins_IsAnsweredAtOnce_AsDownstreamSilent()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1);

        var sent = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(7, 2 * ChipConfig.PrepareMarginMs).Encode());

        Assert.Equal(PrepareStatus.DownstreamSilent, Payload.PrepareAck(Assert.Single(sent)).Status);
    }

    [Fact]
    public void PrepareAck_IsCollectedOnlyFromBelow_ForThePendingCampaign_WithParentsRewritten_And_TheFirstRefusalWins()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);
        chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(7, 2000).Encode());
        PrepareAckPayload Ack(uint campaign, PrepareStatus status, byte reporting, params TopologyEntry[] chips) => new(campaign, status, reporting, chips);
        var leaf = new TopologyEntry(0x14, 0x13, ChipMode.Initial, new(1, 0, 0));

        Assert.Empty(chip.Deliver(0, MessageType.PrepareAck, Chip1, Chip2, Ack(7, PrepareStatus.Ready, Chip2, new TopologyEntry(Chip2, 0, ChipMode.Initial, new(1, 0, 0))).Encode()));
        Assert.Empty(chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2, Ack(8, PrepareStatus.Ready, Chip2).Encode()));
        Assert.Empty(chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2, Ack(7, PrepareStatus.RefusedBusy, Chip2, new TopologyEntry(Chip2, 0, ChipMode.PassThrough, new(1, 0, 0))).Encode()));
        var sent = chip.Deliver(2, MessageType.PrepareAck, Chip1, Chip3, Ack(7, PrepareStatus.RefusedOperating, 0x14, new TopologyEntry(Chip3, 0, ChipMode.Initial, new(1, 0, 0)), leaf).Encode());

        var answer = Payload.PrepareAck(Assert.Single(sent));
        Assert.Equal((PrepareStatus.RefusedBusy, Chip2), (answer.Status, answer.ReportingChip));
        Assert.Equal([(Chip1, Address.Module), (Chip2, Chip1), (Chip3, Chip1), ((byte)0x14, Chip3)], answer.Chips.Select(c => (c.ModelId, c.ParentId)));
    }
}
