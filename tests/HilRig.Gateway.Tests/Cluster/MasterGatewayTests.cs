using HilRig.Gateway.Cluster;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Cluster;

public sealed class MasterGatewayTests : IAsyncLifetime
{
    private readonly BoundNodes _nodes = new();
    private readonly ManualClock _time = new();
    private readonly RecordingSink _log = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    private Task<AccessNode> BindAsync(string logical, string nodeId, int capacity, string version = "1.0.0") => _nodes.BindAsync(logical, nodeId, capacity, version);

    private MasterGateway Master(int maxWaitMs = 30_000, IPendingCommandSource? pending = null) =>
        new(_nodes.Bindings, new MasterGatewayOptions { MaxWaitMs = maxWaitMs }, _log.Sink, _time) { PendingCommands = pending };

    private static Task<AddressAnswer> Ask(MasterGateway master, string deviceId, int level = 0, int priority = 0) =>
        master.RequestAddressAsync(new AddressRequest(deviceId, "gw-1", level, priority), TestContext.Current.CancellationToken);

    [Fact]
    public async Task RequestAddress_SpillsToNextUpgradedNode_When_FirstIsFull()
    {
        var first = await BindAsync("gw-1", "gw-1.1", capacity: 2);
        var second = await BindAsync("gw-1", "gw-1.2", capacity: 2);
        using var master = Master();

        var answers = new List<AddressAnswer>();
        foreach (var device in new[] { "a", "b", "c" }) answers.Add(await Ask(master, device));

        Assert.Equal(["gw-1.1", "gw-1.1", "gw-1.2"], answers.Select(a => a.NodeId));
        Assert.Equal(first.Address, answers[0].Address);
        Assert.True(master.IsLocked(first));
        Assert.False(master.IsLocked(second));
        Assert.Contains(_log.Texts, l => l.Contains("gw-1.1 is full (2) and locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestAddress_AnswersRetry_When_NoNodeHasRoomAndWaitingIsOff()
    {
        var node = await BindAsync("gw-1", "gw-1.1", capacity: 1);
        using var master = Master(maxWaitMs: 0);

        Assert.True((await Ask(master, "a")).IsAssigned);
        var refused = await Ask(master, "b");

        Assert.Equal("retry", refused.Status);
        Assert.NotNull(refused.RetryAfterMs);
        Assert.Equal(1, master.Load(node.NodeId));
    }

    [Fact]
    public async Task RequestAddress_PicksOnlyNewestAcceptingVersion_When_OldAndNewAreBound()
    {
        var old = await BindAsync("gw-1", "gw-1.1", capacity: 5);
        await BindAsync("gw-1", "gw-1.2", capacity: 5, version: "2.0.0");
        using var master = Master();

        Assert.Equal("gw-1.2", (await Ask(master, "a")).NodeId);
        Assert.Equal(["gw-1.2"], master.Candidates("gw-1").Select(n => n.NodeId));
        Assert.DoesNotContain(old, master.Candidates("gw-1"));
    }

    [Fact]
    public async Task RequestAddress_Refuses_When_LogicalNodeOrDeviceIsUnknown()
    {
        await BindAsync("gw-1", "gw-1.1", capacity: 5);
        using var master = Master();
        master.IsKnownDevice = id => id != "intruder";

        var unknownLogical = await master.RequestAddressAsync(new AddressRequest("a", "gw-9"), TestContext.Current.CancellationToken);
        var unknownDevice = await Ask(master, "intruder");

        Assert.Equal("unknown-logical-node", unknownLogical.Status);
        Assert.Equal("unknown-device", unknownDevice.Status);
        Assert.Contains(_log.Texts, l => l.Contains("unknown logical node 'gw-9'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitingRequest_IsGranted_When_ASlotIsFreed()
    {
        var node = await BindAsync("gw-1", "gw-1.1", capacity: 1);
        using var master = Master();
        await Ask(master, "holder");

        var waiting = Ask(master, "a");
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, master.WaitingCount);
        await master.ReportConnectFailedAsync("holder", node.NodeId, TestContext.Current.CancellationToken);

        Assert.Equal("gw-1.1", (await waiting.Within()).NodeId);
        Assert.Equal(1, master.Load(node.NodeId));
    }

    [Fact]
    public async Task Waiters_AreServedByRequestTime_When_NoneHasABump()
    {
        var (first, second) = await RaceAsync(early: ("early", 0, 0), late: ("late", 0, 0), pending: null);
        Assert.Equal(("early", "late"), (first, second));
    }

    [Fact]
    public async Task PendingCommands_BumpARequestAhead_When_ItCameLater()
    {
        var pending = new FixedPending(new() { ["late"] = 2 });
        var (first, second) = await RaceAsync(early: ("early", 0, 0), late: ("late", 0, 0), pending);
        Assert.Equal(("late", "early"), (first, second));
    }

    [Fact]
    public async Task DeviceLevel_BumpsARequestAhead_When_ItCameLater()
    {
        var (first, second) = await RaceAsync(early: ("early", 0, 0), late: ("late", 1, 0), pending: null);
        Assert.Equal(("late", "early"), (first, second));
    }

    [Fact]
    public async Task AddressPriority_BumpsARequestAhead_When_ItCameLater()
    {
        var (first, second) = await RaceAsync(early: ("early", 0, 0), late: ("late", 0, 1), pending: null);
        Assert.Equal(("late", "early"), (first, second));
    }

    /// <summary>A full node, an early and a late waiter (500 ms apart); frees one slot and says who got it first.</summary>
    private async Task<(string First, string Second)> RaceAsync((string Id, int Level, int Priority) early, (string Id, int Level, int Priority) late, IPendingCommandSource? pending)
    {
        var node = await BindAsync("gw-1", "gw-1.1", capacity: 1);
        using var master = Master(pending: pending);
        await Ask(master, "holder");
        var earlyTask = Ask(master, early.Id, early.Level, early.Priority);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var lateTask = Ask(master, late.Id, late.Level, late.Priority);
        Assert.Equal(2, master.WaitingCount);

        await master.ReportConnectFailedAsync("holder", node.NodeId, TestContext.Current.CancellationToken);
        var winner = await Task.WhenAny(earlyTask, lateTask).Within();
        var first = winner == earlyTask ? early.Id : late.Id;
        Assert.False((winner == earlyTask ? lateTask : earlyTask).IsCompleted); // capacity 1: the other still waits

        await master.ReportConnectFailedAsync(first, node.NodeId, TestContext.Current.CancellationToken);
        await Task.WhenAll(earlyTask, lateTask).Within();
        return (first, first == early.Id ? late.Id : early.Id);
    }

    private sealed class FixedPending(Dictionary<string, int> counts) : IPendingCommandSource
    {
        public int PendingCommandCount(string deviceId) => counts.GetValueOrDefault(deviceId);
    }
}
