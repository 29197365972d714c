
namespace HilRig.Bench.Tests.Chip;

/// <summary>Protocol 1.2 selective acknowledgement on the target's side, and its negotiation (docs/protocol.md §1, §7.3.1).</summary>
public sealed partial class ChipFirmwareTests
{
    [Fact]
    public void DataAck_HasTheShortForm_When_NoTransferOptionsCame()
    {
        // A 1.2 chip behind a 1.1 module: the module never offers selective acknowledgement, so it gets 9-byte DATA_ACKs.
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);

        var ack = Assert.Single(chip.Data(1024, image.AsSpan(1024, 512)));

        Assert.Equal(DataAckPayload.ShortSizeBytes, ack.Frame.Payload.Length);
        Assert.Equal(new DataAckPayload(0, 0, DataStatus.OutOfOrder), Payload.DataAck(ack));
    }

    [Fact]
    public void Transfer_KeepsFramesBeyondAGapAndFillsIt_When_SelectiveAckWasOffered()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        Assert.Empty(chip.Deliver(0, MessageType.TransferOptions, Chip3, Address.Module,
            new TransferOptionsPayload(ChipUnderTest.Campaign, TransferFlags.SelectiveAck, 512).Encode()));

        chip.Stream(image, 0, 4096);
        // The frame at 4096 (the first of sector 1) is lost; 4608 and 5120 arrive and are kept.
        var held = Payload.DataAck(Assert.Single(chip.Data(4608, image.AsSpan(4608, 512))));
        var held2 = Payload.DataAck(Assert.Single(chip.Data(5120, image.AsSpan(5120, 512))));
        var filled = Payload.DataAck(Assert.Single(chip.Data(4096, image.AsSpan(4096, 512))));
        var sent = chip.Stream(image, 5632, image.Length);

        Assert.Equal(new DataAckPayload(4096, 4096, DataStatus.Ok) { Selective = new SelectiveAck(4608, 0b10) }, held);
        Assert.Equal(new DataAckPayload(4096, 4096, DataStatus.Ok) { Selective = new SelectiveAck(5120, 0b110) }, held2);
        Assert.Equal(new DataAckPayload(4096, 5632, DataStatus.Ok) { Selective = new SelectiveAck(4096, 0) }, filled);
        Assert.Equal(new CompletePayload(ChipUnderTest.Campaign, Chip3, CompleteStatus.Activated, new(1, 1, 0)), Payload.Complete(sent[^1]));
        // Sector 1 was erased once, before 4608 was programmed, and not again when 4096 filled the gap.
        Assert.Equal(image, chip.ReadImageSlot(1, image.Length));
    }

    [Fact]
    public void TransferOptions_AreIgnored_When_TheChipSpeaks11()
    {
        using var chip = new ChipUnderTest(Chip3, selectiveAck: false);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Deliver(0, MessageType.TransferOptions, Chip3, Address.Module, new TransferOptionsPayload(ChipUnderTest.Campaign, TransferFlags.SelectiveAck, 512).Encode());

        var ack = Payload.DataAck(Assert.Single(chip.Data(512, image.AsSpan(512, 512))));

        Assert.Equal(new DataAckPayload(0, 0, DataStatus.OutOfOrder), ack);
    }
}
