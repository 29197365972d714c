using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using Xunit;
using static HilRig.Core.Tests.Faults.LinkTraffic;

namespace HilRig.Core.Tests.Faults;

/// <summary>What one direction of a relay does with each item once a fault is set on it.</summary>
public sealed class LinkFaultsTests
{
    private static DecodedItem Item(LinkObservation o) => o.Item;

    [Fact]
    public void NothingArmed_ForwardsEveryItemUnchanged()
    {
        var faults = new LinkFaults();
        var data = Item(Data(Chip, 0, 8));

        var (verdict, bytes, what) = faults.Apply(data);

        Assert.Equal(LinkVerdict.Forward, verdict);
        Assert.Same(data.Raw, bytes);
        Assert.Null(what);
        Assert.False(faults.IsBroken);
    }

    [Fact]
    public void Broken_DropsEverything_Including_BytesBetweenFrames_UntilMended()
    {
        var faults = new LinkFaults();
        faults.Break(null);

        Assert.True(faults.IsBroken);
        Assert.Equal((LinkVerdict.Drop, "lost on a broken link"), Verdict(faults, Item(Data(Chip, 0, 8))));
        Assert.Equal(LinkVerdict.Drop, faults.Apply(Item(Garbage())).Verdict);

        faults.Mend();
        Assert.False(faults.IsBroken);
        Assert.Equal(LinkVerdict.Forward, faults.Apply(Item(Data(Chip, 0, 8))).Verdict);
    }

    [Fact]
    public void BrokenForAWhile_IsBrokenAtOnce_And_NotForGood()
    {
        var faults = new LinkFaults();
        faults.Break(TimeSpan.FromHours(1));
        Assert.True(faults.IsBroken);

        faults.Break(TimeSpan.Zero);
        Assert.False(faults.IsBroken, "a break whose time is up still held the link");
    }

    [Fact]
    public void DropFrames_DropsOnlyTheNextCountMatching_AndLetsOthersPass()
    {
        var faults = new LinkFaults();
        faults.DropFrames(2, f => f.Type == MessageType.DataAck);

        Assert.Equal(LinkVerdict.Forward, faults.Apply(Item(Data(Chip, 0, 8))).Verdict);
        Assert.Equal((LinkVerdict.Drop, "dropped"), Verdict(faults, Item(DataAck(Chip, 8))));
        Assert.Equal(LinkVerdict.Forward, faults.Apply(Item(Garbage())).Verdict);
        Assert.Equal(LinkVerdict.Drop, faults.Apply(Item(DataAck(Chip, 16))).Verdict);
        Assert.Equal(LinkVerdict.Forward, faults.Apply(Item(DataAck(Chip, 24))).Verdict);
    }

    [Fact]
    public void CorruptNextFrame_FlipsOneBitOfACopy_OfTheNextMatchingFrameOnly()
    {
        var faults = new LinkFaults();
        faults.CorruptNextFrame(3, 9, f => f.Type == MessageType.Data);
        var ack = Item(DataAck(Chip, 8));
        var data = Item(Data(Chip, 0, 8));
        var original = (byte[])data.Raw.Clone();

        Assert.Equal(LinkVerdict.Forward, faults.Apply(ack).Verdict);
        var (verdict, bytes, what) = faults.Apply(data);

        Assert.Equal(LinkVerdict.Forward, verdict);
        Assert.Equal("corrupted at byte 3 bit 1", what);
        Assert.Equal(original, data.Raw);
        Assert.Equal(original[3] ^ 0b10, bytes[3]);
        Assert.Equal(original.Where((_, i) => i != 3), bytes.Where((_, i) => i != 3));
        Assert.Null(faults.Apply(Item(Data(Chip, 8, 8))).What);
    }

    [Fact]
    public void CorruptNextFrame_PastTheEnd_FlipsTheLastByte()
    {
        var faults = new LinkFaults();
        faults.CorruptNextFrame(10_000, 0);
        var data = Item(Data(Chip, 0, 4));

        var (_, bytes, what) = faults.Apply(data);

        Assert.Equal($"corrupted at byte {data.Raw.Length - 1} bit 0", what);
        Assert.Equal(data.Raw[^1] ^ 1, bytes[^1]);
    }

    [Fact]
    public async Task Hold_KeepsFramesWaiting_UntilReleased()
    {
        var faults = new LinkFaults();
        Assert.True(faults.WhileHeldAsync().IsCompleted);

        faults.Hold();
        var held = faults.WhileHeldAsync();
        Assert.False(held.IsCompleted);

        faults.Release();
        await held.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(faults.WhileHeldAsync().IsCompleted);
    }

    [Fact]
    public void Delay_IsWhatTheRelayWaitsBeforeForwarding()
    {
        var faults = new LinkFaults();
        faults.Delay(TimeSpan.FromMilliseconds(40));
        Assert.Equal(TimeSpan.FromMilliseconds(40), faults.CurrentDelay);
        faults.Delay(TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, faults.CurrentDelay);
    }

    private static (LinkVerdict, string?) Verdict(LinkFaults faults, DecodedItem item)
    {
        var (verdict, _, what) = faults.Apply(item);
        return (verdict, what);
    }
}
