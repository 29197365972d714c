using HilRig.Gateway.Cluster;

namespace HilRig.Gateway.Tests.Cluster;

public sealed class RequestPriorityTests
{
    private static readonly MasterGatewayOptions Bumps = new(); // 1 s a pending command (at most 10), 5 s a level, 2 s a step of address priority
    private static readonly PriorityThresholds Thresholds = new() { PendingCommands = 3, DeviceLevel = 1, AddressPriority = 2 };
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    /// <summary>Requests arriving 10 ms apart in the order given; returns their names in the queue's order.</summary>
    private static IEnumerable<string> Queue(PriorityThresholds thresholds, params (string Name, int Pending, int Level, int Priority)[] requests) =>
        requests.Select((r, i) => (r.Name, Rank: RequestPriority.Of(r.Pending, r.Level, r.Priority, Start + i * 10 * TimeSpan.TicksPerMillisecond, i, Bumps, thresholds)))
            .OrderBy(r => r.Rank, RequestPriority.Order).Select(r => r.Name);

    [Fact]
    public void Order_IsByEffectiveTime_When_NobodyIsOverAThreshold()
    {
        var order = Queue(Thresholds, ("a", 0, 0, 0), ("b", 3, 0, 0), ("c", 0, 0, 2), ("d", 0, 1, 0));
        Assert.Equal(["d", "c", "b", "a"], order); // −5 s, −4 s, −3 s, 0
    }

    [Fact]
    public void Order_BreaksTiesByArrival_When_EffectiveTimesAreEqual()
    {
        // b: 10 ms later, 10 ms of bump would be needed to tie; with no bump at all arrival decides.
        var order = Queue(PriorityThresholds.None, ("a", 0, 0, 0), ("b", 0, 0, 0));
        Assert.Equal(["a", "b"], order);
        var tie = new[] { RequestPriority.Of(0, 0, 0, Start, 2, Bumps, Thresholds), RequestPriority.Of(0, 0, 0, Start, 1, Bumps, Thresholds) };
        Assert.Equal(1, tie.Order(RequestPriority.Order).First().Sequence);
    }

    [Theory]
    [InlineData(4, 0, 0, "pending commands 4 > 3")]
    [InlineData(0, 2, 0, "device level 2 > 1")]
    [InlineData(0, 0, 3, "address priority 3 > 2")]
    public void LateRequest_JumpsToTheFront_When_OverOneThreshold(int pending, int level, int priority, string why)
    {
        // The earlier ones have larger bumps (−12 s, −11 s) and are at or under every threshold.
        var order = Queue(Thresholds, ("a", 3, 1, 2), ("b", 2, 1, 2), ("late", pending, level, priority));
        Assert.Equal(["late", "a", "b"], order);
        Assert.Equal(why, RequestPriority.Of(pending, level, priority, Start, 0, Bumps, Thresholds).OverThreshold);
    }

    [Fact]
    public void RequestsOverAThreshold_AreOrderedByEffectiveTime_Among_Themselves()
    {
        var order = Queue(Thresholds, ("a", 0, 0, 0), ("b", 4, 0, 0), ("c", 0, 1, 2), ("d", 0, 0, 3), ("e", 0, 2, 0));
        Assert.Equal(["e", "d", "b", "c", "a"], order); // over: −10 s, −6 s, −4 s; then −9 s, 0
    }

    [Fact]
    public void AValueAtTheThreshold_IsNotOverIt()
    {
        Assert.False(RequestPriority.Of(3, 1, 2, Start, 0, Bumps, Thresholds).JumpsToFront);
    }

    [Fact]
    public void PendingCommands_CountUncappedForTheThreshold_But_CappedForTheBump()
    {
        var busy = RequestPriority.Of(15, 0, 0, Start, 0, Bumps, new PriorityThresholds { PendingCommands = 12 });
        Assert.Equal("pending commands 15 > 12", busy.OverThreshold);
        Assert.Equal(Start - 10 * 1_000 * TimeSpan.TicksPerMillisecond, busy.EffectiveTicks);
    }

    [Fact]
    public void NoThresholds_LeaveThePlainEffectiveTimeOrder()
    {
        var order = Queue(PriorityThresholds.None, ("a", 3, 1, 2), ("late", 0, 2, 0));
        Assert.Equal(["a", "late"], order); // −12 s before −10 s: nobody jumps
    }
}
