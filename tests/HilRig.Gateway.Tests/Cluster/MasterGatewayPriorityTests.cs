using HilRig.Gateway.Cluster;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>The master gateway's queue with priority thresholds (docs/cloud.md §5.3, rule 4), for single requests and batches.</summary>
public sealed class MasterGatewayPriorityTests : IAsyncLifetime
{
    private static readonly PriorityThresholds Thresholds = new() { PendingCommands = 3, DeviceLevel = 1, AddressPriority = 2 };

    private readonly BoundNodes _nodes = new();
    private readonly ManualClock _time = new();
    private readonly RecordingSink _log = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    private Task<AccessNode> BindAsync(string nodeId, int capacity) => _nodes.BindAsync("gw-1", nodeId, capacity, "1.0.0");

    private MasterGateway Master(Dictionary<string, int>? pending = null) =>
        new(_nodes.Bindings, new MasterGatewayOptions { Thresholds = Thresholds }, _log.Sink, _time) { PendingCommands = new FixedPending(pending ?? []) };

    [Fact]
    public async Task Waiters_AreServedOverThresholdFirstThenByEffectiveTime_When_SlotsFreeOneAtATime()
    {
        var node = await BindAsync("gw-1.1", capacity: 1);
        using var master = Master(new() { ["b"] = 4 });
        await master.RequestAddressAsync(new AddressRequest("holder", "gw-1"), TestContext.Current.CancellationToken);
        var asked = new List<(string Id, Task<AddressAnswer> Answer)>();
        foreach (var (id, level, priority) in new[] { ("a", 0, 0), ("b", 0, 0), ("c", 1, 2), ("d", 0, 3), ("e", 2, 0) })
        {
            asked.Add((id, master.RequestAddressAsync(new AddressRequest(id, "gw-1", level, priority), TestContext.Current.CancellationToken)));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal(5, master.WaitingCount);

        var served = new List<string>();
        var leaving = "holder";
        for (var i = 0; i < asked.Count; i++)
        {
            await master.ReportConnectFailedAsync(leaving, node.NodeId, TestContext.Current.CancellationToken);
            var winner = await Task.WhenAny(asked.Where(a => !served.Contains(a.Id)).Select(a => a.Answer)).Within();
            leaving = asked.Single(a => a.Answer == winner).Id;
            served.Add(leaving);
            Assert.Equal(asked.Count - served.Count, master.WaitingCount); // capacity 1: one served per freed slot
        }

        Assert.Equal(["e", "d", "b", "c", "a"], served);
        Assert.Contains(_log.Texts, l => l.Contains("e waits for room in gw-1 (pending 0, level 2, address priority 0): over a threshold (device level 2 > 1): to the front", StringComparison.Ordinal));
        Assert.Contains(_log.Texts, l => l.Contains("c waits for room in gw-1 (pending 0, level 1, address priority 2): effective time -9000 ms", StringComparison.Ordinal));
        Assert.Contains(_log.Texts, l => l.Contains("e served gw-1.1 after waiting", StringComparison.Ordinal) && l.Contains("(jumped to the front)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThresholdsSetOnTheRunningMaster_RankRequestsArrivingAfter()
    {
        var node = await BindAsync("gw-1.1", capacity: 1);
        using var master = Master();
        master.Thresholds = PriorityThresholds.None;
        await master.RequestAddressAsync(new AddressRequest("holder", "gw-1"), TestContext.Current.CancellationToken);
        var bumped = master.RequestAddressAsync(new AddressRequest("bumped", "gw-1", 0, 6), TestContext.Current.CancellationToken); // −12 s
        master.Thresholds = Thresholds;
        var over = master.RequestAddressAsync(new AddressRequest("over", "gw-1", 2, 0), TestContext.Current.CancellationToken); // −10 s, over level 1

        await master.ReportConnectFailedAsync("holder", node.NodeId, TestContext.Current.CancellationToken);

        Assert.Equal("gw-1.1", (await over.Within()).NodeId);
        Assert.False(bumped.IsCompleted);
        await master.ReportConnectFailedAsync("over", node.NodeId, TestContext.Current.CancellationToken);
        await bumped.Within();
    }

    [Fact]
    public async Task Batch_GivesTheRoomItHasInTheQueuesOrder_When_NotEveryDeviceFits()
    {
        await BindAsync("gw-1.1", capacity: 2);
        using var master = Master(new() { ["d3"] = 4 });
        var priorities = new[] { new DevicePriority("d2", 1, 2), new DevicePriority("d4", 0, 1) };

        var answer = await master.RequestAddressesAsync(new BatchAddressRequest("d1", "gw-1", ["d1", "d2", "d3", "d4"], priorities), TestContext.Current.CancellationToken);

        // d3 is over the pending-command threshold, d2 has the largest bump (−9 s); d4 (−2 s) and d1 (0) are told to retry.
        Assert.Equal(["d1", "d2", "d3", "d4"], answer.Devices.Select(d => d.DeviceId));
        Assert.Equal(["retry", "assigned", "assigned", "retry"], answer.Devices.Select(d => d.Status));
    }

    [Fact]
    public async Task Batch_KeepsRequestOrder_When_EveryDeviceRanksTheSame()
    {
        await BindAsync("gw-1.1", capacity: 2);
        using var master = Master();

        var answer = await master.RequestAddressesAsync(new BatchAddressRequest("d1", "gw-1", ["d1", "d2", "d3"]), TestContext.Current.CancellationToken);

        Assert.Equal(["assigned", "assigned", "retry"], answer.Devices.Select(d => d.Status));
    }

    private sealed class FixedPending(Dictionary<string, int> counts) : IPendingCommandSource
    {
        public int PendingCommandCount(string deviceId) => counts.GetValueOrDefault(deviceId);
    }
}
