using System.Collections.Concurrent;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>Rolling upgrades end to end with a few devices over real loopback MQTT.</summary>
public sealed class GmsTests
{
    private static GmsOptions FastGms(NodeHealthProbe? probe = null) => new()
    {
        MonitorIntervalMs = 20,
        CanaryObservationMs = 20,
        DrainTimeoutMs = 15_000,
        HealthProbe = probe ?? NodeHealthProbes.Default,
    };

    private static async Task<List<GatewayDevice>> ConnectAsync(GatewayCluster cluster, RecordingSink log, CommandExecutor? executor, params (string Id, string Logical)[] devices)
    {
        var started = new List<GatewayDevice>();
        foreach (var (id, logical) in devices)
        {
            var device = cluster.CreateDevice(new GatewayDeviceOptions(id, logical) { ReconnectBackoffMs = 50 }, executor);
            await device.StartAsync(TestContext.Current.CancellationToken);
            await log.WaitForAsync($"{id} ready on ");
            started.Add(device);
        }
        return started;
    }

    [Fact]
    public async Task Upgrade_UnbindsAndShutsOldNodeOnlyWhenIdle_When_ADeviceHasACommandInFlight()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 5, Gms = FastGms() }, new TcpLoopbackTransport(), log.Sink, token);
        var held = new HeldCommands();
        var devices = await ConnectAsync(cluster, log, held.Executor, ("dev-a", "gw-1"), ("dev-b", "gw-1"), ("dev-c", "gw-1"));
        var old = cluster.FindNode("gw-1.1")!;
        var busy = await cluster.Dispatcher.SubmitAsync("dev-a", "block", null, token);
        await held.Started(busy);

        var upgrade = cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", token);
        await log.WaitForAsync("dev-b moved from gw-1.1 to gw-1.2");
        await log.WaitForAsync("dev-c moved from gw-1.1 to gw-1.2");
        // A device logs its move before it closes the old channel (docs/cloud.md §5.5): wait for the node to see them leave.
        await log.WaitForAsync("dev-b left gw-1.1");
        await log.WaitForAsync("dev-c left gw-1.1");

        // dev-a is still busy on the old node: not idle, so still running and bound.
        Assert.False(upgrade.IsCompleted);
        Assert.True(old.IsRunning);
        Assert.Contains(old, cluster.Bindings.BoundTo("gw-1"));
        Assert.Equal(1, old.Connections);
        Assert.Equal(LogicalNodeState.Draining, cluster.Gms.StateOf("gw-1"));

        held.Release();
        var result = await upgrade.Within();

        Assert.Equal(LogicalNodeState.Upgraded, result.State);
        Assert.Equal(["gw-1.1"], result.RetiredNodes);
        Assert.False(old.IsRunning);
        Assert.Equal(["gw-1.2"], cluster.Bindings.BoundTo("gw-1").Select(n => n.NodeId));
        Assert.True((await cluster.Dispatcher.WhenRepliedAsync(busy, token).Within()).Ok);
        Assert.All(devices, d => Assert.Equal("gw-1.2", d.NodeId));
        Assert.True(log.IndexOf("dev-a left gw-1.1 (clean)") < log.IndexOf("gw-1: gw-1.1 had 0 connection(s)"));
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task Upgrade_RollsBackToOldNode_When_NewNodeDropsConnections()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 5, Gms = FastGms() }, new TcpLoopbackTransport(), log.Sink, token);
        var devices = await ConnectAsync(cluster, log, null, ("dev-a", "gw-1"), ("dev-b", "gw-1"));
        var old = cluster.FindNode("gw-1.1")!;
        // The new node is sick from the moment it is bound.
        cluster.Bindings.Changed += () =>
        {
            var fresh = cluster.Bindings.BoundTo("gw-1").FirstOrDefault(n => n.Version == "2.0.0");
            if (fresh is { Fault: AccessNodeFault.None }) _ = fresh.InjectFaultAsync(AccessNodeFault.DropConnections);
        };

        var result = await cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", token).Within();
        await log.WaitForAsync("dev-a ready on gw-1.1");
        var fresh = cluster.FindNode("gw-1.2")!;

        Assert.Equal(LogicalNodeState.RolledBack, result.State);
        Assert.Contains("dropped", result.Reason);
        Assert.True(old.IsRunning);
        Assert.True(old.Accepting);
        Assert.Equal(["gw-1.1"], cluster.Bindings.BoundTo("gw-1").Select(n => n.NodeId));
        Assert.False(fresh.IsRunning);
        // Devices are served by the old node again: a command goes through.
        foreach (var device in devices)
        {
            var reply = await cluster.Dispatcher.SendAsync(device.DeviceId, "ping", null, token).Within();
            Assert.Equal("pong", reply.Result);
        }
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task RollingUpgrade_UpgradesCanaryAndChecksItBeforeTheOthers_When_AllHealthy()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { LogicalNodes = ["gw-1", "gw-2", "gw-3"], Capacity = 5, Gms = FastGms() },
            new TcpLoopbackTransport(), log.Sink, token);
        var devices = await ConnectAsync(cluster, log, null, ("dev-a", "gw-1"), ("dev-b", "gw-2"), ("dev-c", "gw-3"));
        var events = new ConcurrentQueue<string>();
        cluster.Gms.StateChanged += s => events.Enqueue($"rollout {s}");
        cluster.Gms.LogicalNodeStateChanged += (l, s) => events.Enqueue($"{l} {s}");

        var result = await cluster.Gms.RollingUpgradeAsync("2.0.0", token).Within();

        Assert.Equal(RolloutState.Completed, result.State);
        Assert.Equal("gw-1", result.Canary);
        var order = events.ToList();
        var canaryChecked = order.IndexOf("rollout CanaryCheck");
        Assert.True(order.IndexOf("gw-1 Upgraded") < canaryChecked);
        Assert.True(canaryChecked < order.FindIndex(e => e.StartsWith("gw-2", StringComparison.Ordinal)));
        Assert.True(canaryChecked < order.FindIndex(e => e.StartsWith("gw-3", StringComparison.Ordinal)));
        Assert.All(cluster.Bindings.LogicalNodes, l => Assert.All(cluster.Bindings.BoundTo(l), n => Assert.Equal("2.0.0", n.Version)));
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task RollingUpgrade_HaltsAndLeavesOthersAlone_When_CanaryMisbehaves()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        NodeHealthProbe sickCanary = (node, _) => Task.FromResult(node.Version == "2.0.0" && node.Options.LogicalNode == "gw-1" && node.Connections > 0
            ? new NodeHealth(false, $"{node.NodeId} failed its probe") : NodeHealth.Ok);
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { LogicalNodes = ["gw-1", "gw-2"], Capacity = 5, Gms = FastGms(sickCanary) },
            new TcpLoopbackTransport(), log.Sink, token);
        var devices = await ConnectAsync(cluster, log, null, ("dev-a", "gw-1"), ("dev-b", "gw-2"));

        var result = await cluster.Gms.RollingUpgradeAsync("2.0.0", token).Within();

        Assert.Equal(RolloutState.Halted, result.State);
        Assert.Equal(LogicalNodeState.RolledBack, cluster.Gms.StateOf("gw-1"));
        Assert.Equal(LogicalNodeState.Serving, cluster.Gms.StateOf("gw-2"));
        Assert.Equal(["gw-1.1"], cluster.Bindings.BoundTo("gw-1").Select(n => n.NodeId));
        Assert.Equal(["gw-2.1"], cluster.Bindings.BoundTo("gw-2").Select(n => n.NodeId));
        Assert.Equal(0, cluster.FindNode("gw-2.1")!.Refused);
        Assert.Contains(log.Texts, l => l.Contains("gms rollback gw-1: gw-1.2 misbehaves (gw-1.2 failed its probe)", StringComparison.Ordinal));
        foreach (var device in devices) await device.DisposeAsync();
    }
}
