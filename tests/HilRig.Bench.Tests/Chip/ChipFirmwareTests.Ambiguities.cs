using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Chip;

/// <summary>Behaviours the protocol page left open until the C reference chip was written from it (docs/parity.md).</summary>
public sealed class ChipFirmwareAmbiguityTests
{
    private const byte Chip1 = 0x11;
    private const byte Chip2 = 0x12;
    private const byte Chip3 = 0x13;

    [Fact]
    public void Complete_IsIgnored_When_ItsPayloadDoesNotDecode()
    {
        using var chip = new ChipUnderTest(Chip2, downstreamPorts: 1, mark: MemoryMarkRecord.Factory with { Mode = ChipMode.PassThrough, CampaignId = ChipUnderTest.Campaign });

        var sent = chip.Deliver(1, MessageType.Complete, Address.Broadcast, Chip3, [1, 2, 3]);

        Assert.Empty(sent);
        Assert.Equal(ChipMode.PassThrough, chip.Firmware.Mark.Mode);
    }

    [Fact]
    public void PrepareAck_IsCollectedOncePerPort_When_APortAnswersTwice()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);
        chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());
        var answer = new PrepareAckPayload(ChipUnderTest.Campaign, PrepareStatus.Ready, Chip2, [new TopologyEntry(Chip2, Address.Module, ChipMode.Initial, new(1, 0, 0))]).Encode();

        chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2, answer);
        var afterDuplicate = chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2, answer);
        var afterSecondPort = chip.Deliver(2, MessageType.PrepareAck, Chip1, Chip3,
            new PrepareAckPayload(ChipUnderTest.Campaign, PrepareStatus.Ready, Chip3, [new TopologyEntry(Chip3, Address.Module, ChipMode.Initial, new(1, 0, 0))]).Encode());

        Assert.Empty(afterDuplicate);
        var aggregate = PrepareAckPayload.TryDecode(Assert.Single(afterSecondPort).Frame.Payload, out _)!;
        Assert.Equal([Chip1, Chip2, Chip3], aggregate.Chips.Select(c => c.ModelId));
    }
}
