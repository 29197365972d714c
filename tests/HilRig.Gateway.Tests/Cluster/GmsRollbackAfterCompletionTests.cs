using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>A new node that goes bad after the upgrade finished (docs/cloud.md §5.4, "Rollback after completion").</summary>
public sealed class GmsRollbackAfterCompletionTests
{
    [Fact]
    public async Task Watch_RollsBackToThePreviousVersionOnAFreshNode_When_TheNewNodeGoesBadAfterTheOldWasShut()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        var gms = new GmsOptions { MonitorIntervalMs = 20, DrainTimeoutMs = 15_000, WatchAfterUpgradeMs = 10_000 };
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10, Gms = gms }, new InMemoryTransport(), log.Sink, token);
        await using var device = cluster.CreateDevice(new GatewayDeviceOptions("dev-a", "gw-1") { ReconnectBackoffMs = 50 });
        await device.StartAsync(token);
        var upgrade = await cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", token).Within();
        Assert.Equal(LogicalNodeState.Upgraded, upgrade.State);
        Assert.False(cluster.FindNode("gw-1.1")!.IsRunning);

        await cluster.FindNode("gw-1.2")!.InjectFaultAsync(AccessNodeFault.DropConnections);
        var command = await cluster.Dispatcher.SubmitAsync("dev-a", "ping", null, token);
        var rollback = await cluster.Gms.WhenWatchEndsAsync("gw-1").Within();

        Assert.NotNull(rollback);
        Assert.Equal(LogicalNodeState.RolledBack, rollback.State);
        Assert.Equal(["gw-1.3"], rollback.NewNodes);
        Assert.Equal("1.0.0", cluster.FindNode("gw-1.3")!.Version);
        Assert.Equal(["gw-1.3"], cluster.Bindings.BoundTo("gw-1").Select(n => n.NodeId));
        Assert.False(cluster.FindNode("gw-1.2")!.IsRunning);
        Assert.True((await cluster.Dispatcher.WhenRepliedAsync(command, token).Within()).Ok);
        await log.WaitForAsync("dev-a ready on gw-1.3");
    }

    [Fact]
    public async Task Watch_IsOff_When_WatchAfterUpgradeIsZero()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10, Gms = new GmsOptions { MonitorIntervalMs = 20 } }, new InMemoryTransport(), new RecordingSink().Sink, token);

        await cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", token).Within();

        Assert.Null(await cluster.Gms.WhenWatchEndsAsync("gw-1"));
    }
}
