using HilRig.Protocol.Images;

namespace HilRig.Bench.Tests.Chip;

/// <summary>START as target, the windowed DATA rules, verification, activation and resume (docs/protocol.md §6.2, §7.3, §7.4).</summary>
public sealed partial class ChipFirmwareTests
{
    [Fact]
    public void Transfer_ActivatesNewImageInOtherSlot_When_EveryByteArrivesInOrder()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();

        var startAck = Payload.StartAck(Assert.Single(chip.Start(Chip3, chip.NewImage.Header)));
        var sent = chip.Stream(image, 0, image.Length);

        Assert.Equal(new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Upgrade, 0, StartStatus.Ok), startAck);
        var acks = sent.Where(s => s.Frame.Type == MessageType.DataAck).Select(Payload.DataAck).ToList();
        Assert.Equal((image.Length + 511) / 512, acks.Count);
        Assert.All(acks, a => Assert.Equal(DataStatus.Ok, a.Status));
        Assert.All(acks, a => Assert.True(a.Persisted % 4096 == 0 || a.Persisted == image.Length, $"persisted {a.Persisted}"));
        Assert.Equal((uint)image.Length, acks[^1].Persisted);
        var complete = sent[^1];
        Assert.Equal((0, Address.Broadcast), (complete.Port, complete.Frame.Destination));
        Assert.Equal(new CompletePayload(ChipUnderTest.Campaign, Chip3, CompleteStatus.Activated, new(1, 1, 0)), Payload.Complete(complete));
        Assert.Equal((byte)1, complete.MarkOnFlash.ActiveSlot);
        Assert.Equal((ChipMode.Initial, (byte)1, UpgradeState.Done), (chip.Firmware.Mode, chip.Firmware.Mark.ActiveSlot, chip.Firmware.Mark.State));
        Assert.Equal(new FirmwareVersion(1, 1, 0), chip.Firmware.ActiveVersion);
        Assert.Equal(image, chip.ReadImageSlot(1, image.Length));
    }

    [Fact]
    public void Transfer_WritesMarkAtEverySectorBoundaryBeforeTheAck_When_DataCrossesIt()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);

        var sent = chip.Stream(image, 0, 8192);

        var acks = sent.Select(s => (Ack: Payload.DataAck(s), s.MarkOnFlash)).ToList();
        Assert.All(acks, a => Assert.Equal(a.Ack.Persisted, a.MarkOnFlash.PersistedOffset));
        Assert.Equal([0u, 4096u, 8192u], acks.Select(a => a.Ack.Persisted).Distinct());
    }

    [Fact]
    public void Transfer_EndsWithDigestMismatchAndOldSlotActive_When_BodyDiffersFromHeader()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        image[ImageHeader.SizeBytes + 5000] ^= 0x01;
        chip.Start(Chip3, chip.NewImage.Header);

        var sent = chip.Stream(image, 0, image.Length);

        var complete = Payload.Complete(sent[^1]);
        Assert.Equal((CompleteStatus.DigestMismatch, new FirmwareVersion(1, 0, 0)), (complete.Status, complete.ActiveVersion));
        Assert.Equal((ChipMode.Initial, (byte)0, UpgradeState.Failed), (chip.Firmware.Mode, chip.Firmware.Mark.ActiveSlot, chip.Firmware.Mark.State));
        Assert.Equal(new FirmwareVersion(1, 0, 0), chip.Firmware.ActiveVersion);
    }

    [Fact]
    public void Start_AnswersPersistedSectorOffsetInUpgrade_When_ChipRestartsAfterPowerCut()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, 3 * 4096 + 512);

        chip.PowerCycle();
        var bootMode = chip.Firmware.Mode;
        var ack = Payload.StartAck(chip.Start(Chip3, chip.NewImage.Header)[0]);
        var sent = chip.Stream(image, (int)ack.ResumeOffset, image.Length);

        Assert.Equal(ChipMode.Upgrade, bootMode);
        Assert.Equal((ChipMode.Upgrade, 3u * 4096, StartStatus.Ok), (ack.Mode, ack.ResumeOffset, ack.Status));
        Assert.Equal(0u, ack.ResumeOffset % 4096);
        Assert.Equal(CompleteStatus.Activated, Payload.Complete(sent[^1]).Status);
        Assert.Equal(image, chip.ReadImageSlot(1, image.Length));
    }

    [Fact]
    public void Data_IsAcceptedFromPersistedOffset_When_ChipRestartsWithoutNewStart()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, 4096 + 1024);

        chip.PowerCycle();
        var beyond = Payload.DataAck(Assert.Single(chip.Data(4096 + 1024, image.AsSpan(4096 + 1024, 512))));
        var resent = Payload.DataAck(Assert.Single(chip.Data(4096, image.AsSpan(4096, 512))));

        Assert.Equal((DataStatus.OutOfOrder, 4096u, 4096u), (beyond.Status, beyond.Persisted, beyond.Next));
        Assert.Equal((DataStatus.Ok, 4096u + 512), (resent.Status, resent.Next));
    }

    [Fact]
    public void Data_GetsOutOfOrderWithNext_When_OffsetIsBeyondNextExpected()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, 1024);

        var ack = Payload.DataAck(Assert.Single(chip.Data(2048, image.AsSpan(2048, 512))));

        Assert.Equal(new DataAckPayload(0, 1024, DataStatus.OutOfOrder), ack);
    }

    [Fact]
    public void Data_IsAcknowledgedWithoutWriting_When_ItDuplicatesWrittenBytes()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, 1024);
        var operations = chip.Flash.OperationCount;

        var ack = Payload.DataAck(Assert.Single(chip.Data(512, new byte[512])));

        Assert.Equal(new DataAckPayload(0, 1024, DataStatus.Ok), ack);
        Assert.Equal(operations, chip.Flash.OperationCount);
        Assert.Equal(image[512..1024], chip.ReadImageSlot(1, 1024)[512..]);
    }

    [Fact]
    public void Data_GetsNotTarget_When_ChipIsNotReceiving()
    {
        using var chip = new ChipUnderTest(Chip3);

        var ack = Payload.DataAck(Assert.Single(chip.Data(0, new byte[16])));

        Assert.Equal(DataStatus.NotTarget, ack.Status);
    }

    [Fact]
    public void Start_AnswersAlreadyUpgradedAndComplete_When_ImageWasActivatedInThisCampaign()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, image.Length);

        var sent = chip.Start(Chip3, chip.NewImage.Header);

        Assert.Equal(new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Initial, (uint)image.Length, StartStatus.AlreadyUpgraded), Payload.StartAck(sent[0]));
        Assert.Equal(CompleteStatus.Activated, Payload.Complete(sent[1]).Status);
        Assert.Equal((byte)1, chip.Firmware.Mark.ActiveSlot);
    }

    [Fact]
    public void Start_IsRefusedWithoutMarkWrite_When_HeaderNamesAnotherModel()
    {
        using var chip = new ChipUnderTest(Chip3);
        var sequence = chip.Firmware.Mark.Sequence;

        var ack = Payload.StartAck(Assert.Single(chip.Start(Chip3, SampleImages.Build(Chip2, new(1, 1, 0), 100).Header)));

        Assert.Equal((StartStatus.WrongModel, ChipMode.Initial), (ack.Status, ack.Mode));
        Assert.Equal(sequence, chip.Firmware.Mark.Sequence);
    }

    [Fact]
    public void Start_IsRefusedAsTooLarge_When_ImageExceedsSlot()
    {
        using var chip = new ChipUnderTest(Chip3);
        var header = SampleImages.Build(Chip3, new(1, 1, 0), 10).Header with { BodySizeBytes = (uint)chip.Layout.SlotSizeBytes };

        var ack = Payload.StartAck(Assert.Single(chip.Start(Chip3, header)));

        Assert.Equal(StartStatus.ImageTooLarge, ack.Status);
    }
}
