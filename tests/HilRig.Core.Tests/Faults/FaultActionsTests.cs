using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Core.Verification;
using HilRig.Protocol.Framing;
using Xunit;
using static HilRig.Core.Tests.Faults.LinkTraffic;

namespace HilRig.Core.Tests.Faults;

/// <summary>Each link action lands on the link above the chip it names, in the direction it names, and nowhere else.</summary>
public sealed class FaultActionsTests : IAsyncDisposable
{
    private readonly FakeBench _bench = new();
    private readonly ChainObserver _observer;

    public FaultActionsTests() => _observer = new ChainObserver(_bench);

    private FaultContext Context => new(_bench, _observer, new RecoveryVerifier(_bench, _observer));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LinkFaults Faults(string chip, Direction direction) => _bench.RelaysByChip[chip].Faults(direction);

    [Fact]
    public async Task BreakLink_ForGood_BreaksBothWaysOfThatLinkOnly()
    {
        var check = await new BreakLink("chip2", null, null).RunAsync(Context, Cancel);

        Assert.Null(check);
        Assert.True(Faults("chip2", Direction.Downstream).IsBroken);
        Assert.True(Faults("chip2", Direction.Upstream).IsBroken);
        Assert.False(Faults("chip1", Direction.Downstream).IsBroken);
        Assert.False(Faults("chip3", Direction.Upstream).IsBroken);
    }

    [Fact]
    public async Task BreakLink_OneWayForAWhile_IsMendedAfterwards_AndSaysSoOnTheTimeline()
    {
        var action = new BreakLink("chip3", Direction.Upstream, TimeSpan.FromMilliseconds(1));

        await action.RunAsync(Context, Cancel);

        Assert.False(Faults("chip3", Direction.Upstream).IsBroken);
        Assert.Equal("break the link above chip3 upstream only for 1 ms", action.Description);
        Assert.Contains(_bench.Events("fault"), e => e.Source == "chip2-chip3" && e.Summary == "link mended");
    }

    [Fact]
    public async Task DropFrames_OfOneType_DropsThoseOnTheNamedDirection()
    {
        await new DropFrames("chip1", Direction.Upstream, 1, MessageType.DataAck).RunAsync(Context, Cancel);

        Assert.Equal(LinkVerdict.Forward, Faults("chip1", Direction.Downstream).Apply(DataAck(Chip, 8).Item).Verdict);
        Assert.Equal(LinkVerdict.Forward, Faults("chip1", Direction.Upstream).Apply(Data(Chip, 0, 8).Item).Verdict);
        Assert.Equal(LinkVerdict.Drop, Faults("chip1", Direction.Upstream).Apply(DataAck(Chip, 8).Item).Verdict);
        Assert.Equal(LinkVerdict.Forward, Faults("chip1", Direction.Upstream).Apply(DataAck(Chip, 16).Item).Verdict);
    }

    [Fact]
    public async Task CorruptFrame_OfOneType_CorruptsTheNextOfThatType()
    {
        await new CorruptFrame("chip2", Direction.Downstream, 5, 7, MessageType.Data).RunAsync(Context, Cancel);

        Assert.Null(Faults("chip2", Direction.Downstream).Apply(Start(Chip, 100).Item).What);
        Assert.Equal("corrupted at byte 5 bit 7", Faults("chip2", Direction.Downstream).Apply(Data(Chip, 0, 8).Item).What);
    }

    [Fact]
    public void PowerCut_OfTheWholeDevice_NamesEveryChipAndTheModule()
    {
        var cut = PowerCut.WholeDevice(_bench, TimeSpan.FromMilliseconds(250));

        Assert.Equal(["chip1", "chip2", "chip3", "module"], cut.Nodes);
        Assert.Equal("power off chip1, chip2, chip3, module for 250 ms", cut.Description);
    }

    public async ValueTask DisposeAsync()
    {
        _observer.Dispose();
        await _bench.DisposeAsync();
    }
}
