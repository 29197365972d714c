using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>The GMS's offline and close thresholds and the unbind that must succeed (docs/cloud.md §5.4, "Thresholds").</summary>
public sealed class GmsThresholdTests
{
    private static async Task<(GatewayCluster Cluster, RecordingSink Log, List<GatewayDevice> Devices)> StartAsync(GmsThresholds thresholds, int devices, int ignoring = 0)
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        var gms = new GmsOptions { MonitorIntervalMs = 20, CanaryObservationMs = 20, DrainTimeoutMs = 15_000, Thresholds = thresholds };
        var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10, Gms = gms }, new InMemoryTransport(), log.Sink, token);
        var list = new List<GatewayDevice>();
        for (var i = 1; i <= devices; i++)
        {
            var device = cluster.CreateDevice(new GatewayDeviceOptions($"dev-{i}", "gw-1") { ReconnectBackoffMs = 50, IgnoresOffline = i <= ignoring });
            await device.StartAsync(token);
            await log.WaitForAsync($"dev-{i} ready on ");
            list.Add(device);
        }
        return (cluster, log, list);
    }

    [Fact]
    public async Task Upgrade_HoldsTheOfflineIndicationBack_Until_ConnectionsFallBelowTheThreshold()
    {
        var (cluster, log, devices) = await StartAsync(new GmsThresholds { OfflineBelowConnections = 3 }, 4);
        await using var _ = cluster;

        var upgrade = cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", TestContext.Current.CancellationToken);
        await log.WaitForAsync("gw-1.1 has 4 connection(s), not fewer than 3: no offline indication yet");
        Assert.DoesNotContain(log.Texts, l => l.Contains("told to leave", StringComparison.Ordinal));
        await devices[0].StopAsync();
        await devices[1].StopAsync();
        var result = await upgrade.Within();

        Assert.Equal(LogicalNodeState.Upgraded, result.State);
        Assert.True(log.IndexOf("dev-2 left gw-1.1") < log.IndexOf("fewer than 3: offline indications go out"));
        Assert.True(log.IndexOf("fewer than 3: offline indications go out") < log.IndexOf("dev-3 told to leave gw-1.1"));
        Assert.Equal("gw-1.2", devices[2].NodeId);
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task Upgrade_ClosesTheNodeWithDevicesStillOnIt_When_TheyAreFewerThanTheCloseThreshold()
    {
        var (cluster, log, devices) = await StartAsync(new GmsThresholds { CloseBelowConnections = 3, CloseBelowUplinkMessages = 5 }, 4, ignoring: 2);
        await using var _ = cluster;
        var back = devices.Take(2).Select(d =>
        {
            var moved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            d.Switched += (_, to) => moved.TrySetResult(to);
            return moved.Task;
        }).ToList();

        var result = await cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", TestContext.Current.CancellationToken).Within();

        Assert.Equal(LogicalNodeState.Upgraded, result.State);
        Assert.Contains(log.Texts, l => l.Contains("gw-1.1 had 2 connection(s) (fewer than 3) and 0 uplink message(s) since the last look (fewer than 5); unbound and shut", StringComparison.Ordinal));
        // The two that ignored the offline instruction lost their channel and came back through the master gateway.
        Assert.Equal(["gw-1.2", "gw-1.2"], await Task.WhenAll(back).Within());
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task Upgrade_KeepsTheOldNodeRunning_When_ItsUnbindFails()
    {
        var (cluster, log, devices) = await StartAsync(new GmsThresholds(), 2);
        await using var _ = cluster;
        var old = cluster.FindNode("gw-1.1")!;
        cluster.Bindings.FailNextUnbinds("gw-1.1", 2, "binding store unavailable");

        var result = await cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", TestContext.Current.CancellationToken).Within();

        Assert.Equal(LogicalNodeState.Upgraded, result.State);
        var failed = log.Texts.Where(l => l.Contains("unbinding gw-1.1 failed (binding store unavailable); gw-1.1 keeps running", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failed.Count);
        Assert.True(log.IndexOf("gw-1.1 keeps running") < log.IndexOf("gw-1.1 shut with"));
        Assert.False(old.IsRunning);
        foreach (var device in devices) await device.DisposeAsync();
    }
}
