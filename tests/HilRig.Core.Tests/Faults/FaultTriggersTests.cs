using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using Xunit;
using static HilRig.Core.Tests.Faults.LinkTraffic;

namespace HilRig.Core.Tests.Faults;

/// <summary>The moments the relay-watching triggers fire on, fed observations as the link above a chip reports them.</summary>
public sealed class FaultTriggersTests
{
    // An image of 64 header bytes + 936 body bytes: 1000 bytes, so percentages are round.
    private const uint Body = 936;

    [Fact]
    public void AtTransferPoint_FiresOnTheDataFrameCarryingTheThresholdByte_When_GivenAPercentOfTheImage()
    {
        var trigger = new AtTransferPoint("chip3", null, 50);

        Assert.False(trigger.IsMoment(Data(Chip, 0, 200), Chip), "fired before any START told it the image size");
        Assert.False(trigger.IsMoment(Start(Chip, Body), Chip));
        Assert.False(trigger.IsMoment(Data(Chip, 200, 200), Chip), "bytes 200..399 do not reach byte 500");
        Assert.False(trigger.IsMoment(Data(Chip, 400, 99), Chip), "bytes 400..498 end short of the 500th byte");
        Assert.True(trigger.IsMoment(Data(Chip, 400, 100), Chip), "bytes 400..499 carry the 500th byte: 50% of 1000");
        Assert.True(trigger.IsMoment(Data(Chip, 499, 200), Chip), "a frame starting at byte 499 carries it too");
        Assert.False(trigger.IsMoment(Data(Chip, 500, 200), Chip), "a frame after the 500th byte is past the moment");
    }

    [Fact]
    public void AtTransferPoint_IgnoresAnotherChipsTransfer_And_FramesNotDownstream()
    {
        var trigger = new AtTransferPoint("chip3", 100, null);

        Assert.False(trigger.IsMoment(Data(OtherChip, 0, 200), Chip), "DATA for another chip fired it");
        var upstreamData = Seen(Direction.Upstream, MessageType.Data, Chip, Address.Module, new DataPayload(0, new byte[200]).Encode());
        Assert.False(trigger.IsMoment(upstreamData, Chip), "DATA going up fired it");
        Assert.False(trigger.IsMoment(Garbage(), Chip));
        Assert.True(trigger.IsMoment(Data(Chip, 64, 64), Chip));
    }

    [Fact]
    public void AtTransferPoint_AtByteZero_FiresWhenTheChipAnswersStartInUpgrade_NotInPassThrough()
    {
        var trigger = new AtTransferPoint("chip3", 0, null);

        Assert.False(trigger.IsMoment(StartAck(Chip, ChipMode.PassThrough), Chip));
        Assert.False(trigger.IsMoment(StartAck(OtherChip, ChipMode.Upgrade), Chip), "another chip's START_ACK fired it");
        Assert.False(trigger.IsMoment(Data(Chip, 0, 64), Chip), "byte 0 is the START_ACK, not a DATA frame");
        Assert.True(trigger.IsMoment(StartAck(Chip, ChipMode.Upgrade), Chip));
    }

    [Fact]
    public void AtTransferPoint_FiresAtTheFirstDataPastItsPoint_When_ItWaitsAgainAfterAnotherFault()
    {
        var trigger = new AtTransferPoint("chip3", null, 30);
        Assert.False(trigger.IsMoment(Start(Chip, Body), Chip));

        // A first wait fires only on the frame that carries the 300th byte.
        Assert.False(trigger.IsMoment(Data(Chip, 400, 64), Chip), "a first wait fired on a frame past its point");
        // A wait after a deferral: the chip had persisted past 30% before the other fault's power went, so the resumed
        // transfer starts beyond the point and never carries byte 299 again. The first DATA at or past it fires.
        Assert.False(trigger.IsMoment(Data(Chip, 64, 64), Chip, late: true, out _), "a late wait fired before the point");
        Assert.True(trigger.IsMoment(Data(Chip, 400, 64), Chip, late: true, out var offset), "a late wait missed the resumed transfer past its point");
        Assert.Equal(400, offset);
        Assert.False(trigger.IsMoment(Data(OtherChip, 400, 64), Chip, late: true, out _), "another chip's DATA fired a late wait");
    }

    [Fact]
    public void AtTransferPoint_RemembersTheImageSize_When_ItWaitsAgainAfterAnotherFault()
    {
        var trigger = new AtTransferPoint("chip3", null, 90);
        Assert.False(trigger.IsMoment(Start(Chip, Body), Chip));

        // A deferred wait starts after the resumed START has passed: the size seen before still counts.
        Assert.True(trigger.IsMoment(Data(Chip, 850, 64), Chip), "the 90% point of the resumed transfer was missed");
    }

    [Fact]
    public void OnLastByteAcknowledged_FiresOnTheAckCoveringTheWholeImage_Only()
    {
        var trigger = new OnLastByteAcknowledged("chip3");

        Assert.False(trigger.IsMoment(DataAck(Chip, 1000), Chip), "fired with no START seen: the image size is unknown");
        Assert.False(trigger.IsMoment(Start(Chip, Body), Chip));
        Assert.False(trigger.IsMoment(DataAck(Chip, 999), Chip));
        Assert.False(trigger.IsMoment(DataAck(OtherChip, 1000), Chip), "another chip's DATA_ACK fired it");
        Assert.True(trigger.IsMoment(DataAck(Chip, 1000), Chip));
    }

    [Fact]
    public void OnProtocolEvent_FiresOnTheNthMatchingFrame_CountingFromEachWait()
    {
        var trigger = new OnProtocolEvent(MessageType.StartAck, Nth: 2, FromModelId: Chip, Direction: Direction.Upstream);
        var watch = trigger.NewWatch();

        Assert.False(watch(StartAck(OtherChip, ChipMode.PassThrough)), "a START_ACK from another chip was counted");
        Assert.False(watch(Start(Chip, Body)), "a START was counted as a START_ACK");
        Assert.False(watch(StartAck(Chip, ChipMode.Upgrade)));
        Assert.True(watch(StartAck(Chip, ChipMode.Upgrade)));
        Assert.False(watch(StartAck(Chip, ChipMode.Upgrade)), "fired again after its moment");

        var again = trigger.NewWatch();
        Assert.False(again(StartAck(Chip, ChipMode.Upgrade)), "a new wait went on with the old count");
    }

    [Fact]
    public void OnProtocolEvent_WithADirection_IgnoresTheOtherDirection()
    {
        var watch = new OnProtocolEvent(MessageType.Data, Nth: 1, Chip: "chip3", Direction: Direction.Upstream).NewWatch();

        Assert.False(watch(Data(Chip, 0, 10)), "DATA going down was counted for a trigger on DATA going up");
        Assert.True(watch(Seen(Direction.Upstream, MessageType.Data, Address.Module, Chip, new DataPayload(0, [1]).Encode())));
    }

    [Fact]
    public void AtTransferFrame_CountsFramesBothWays_FromTheStartThatMakesTheChipTheTarget()
    {
        var watch = new AtTransferFrame("chip3", 3).NewWatch(Chip);

        Assert.False(watch(Start(OtherChip, Body)), "a START for another chip started the count");
        Assert.False(watch(StartAck(OtherChip, ChipMode.Upgrade)));
        Assert.False(watch(Start(Chip, Body)), "frame 1: the START itself");
        Assert.False(watch(StartAck(Chip, ChipMode.Upgrade)), "frame 2: its answer");
        Assert.False(watch(Garbage()), "bytes between frames are not a frame boundary");
        Assert.True(watch(Data(Chip, 0, 64)), "frame 3");
    }

    [Fact]
    public void Descriptions_SayWhenInTheFeatureFilesWords()
    {
        Assert.Equal("at 50% of chip3's transfer", new AtTransferPoint("chip3", null, 50).Description);
        Assert.Equal("at byte 1 of chip3's transfer", new AtTransferPoint("chip3", 1, null).Description);
        Assert.Equal("on the second StartAck on the link above chip2", new OnProtocolEvent(MessageType.StartAck, 2, "chip2").Description);
        Assert.Equal("on the 7th Data at the module", new OnProtocolEvent(MessageType.Data, 7).Description);
        Assert.Equal("after frame 12 of chip2's transfer", new AtTransferFrame("chip2", 12).Description);
    }
}
