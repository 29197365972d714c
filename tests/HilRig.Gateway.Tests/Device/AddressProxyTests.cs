using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Tests.Device;

/// <summary>A proxy device's batch over a real (in-memory) cluster: one request, each device its own node, and faults.</summary>
public sealed class AddressProxyTests
{
    private sealed record Setup(GatewayCluster Cluster, AccessNode Old, List<GatewayDevice> Devices, AddressProxy Proxy, RecordingSink Log) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var device in Devices) await device.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync(int devices, int[] upgradedCapacities, AddressProxyOptions options)
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = devices }, new InMemoryTransport(), log.Sink, token);
        var list = new List<GatewayDevice>();
        var ids = Enumerable.Range(1, devices).Select(i => $"dev-{i:D2}").ToList();
        var proxy = new AddressProxy(ids[0], "gw-1", ids, cluster.Master, options, log.Sink.Invoke);
        foreach (var id in ids)
        {
            var device = cluster.CreateDevice(new GatewayDeviceOptions(id, "gw-1") { ReconnectBackoffMs = 50 });
            list.Add(device);
            await device.StartAsync(token);
            device.AddressVia = proxy.ClientFor(id);
        }
        var old = cluster.FindNode("gw-1.1")!;
        foreach (var capacity in upgradedCapacities) cluster.Bindings.Bind("gw-1", await cluster.StartNodeAsync("gw-1", "2.0.0", capacity, token));
        return new Setup(cluster, old, list, proxy, log);
    }

    private static async Task DrainAsync(Setup setup)
    {
        var moved = setup.Devices.Select(d =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            d.Switched += (_, _) => done.TrySetResult();
            return done.Task;
        }).ToList();
        await setup.Old.BeginDrainAsync("upgrade");
        setup.Cluster.Bindings.NotifyChanged();
        await setup.Old.SendOfflineBatchAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(moved).Within();
    }

    [Fact]
    public async Task Batch_SendsOneRequestAndEachDeviceItsOwnNode_When_TheSecondNodeCannotHoldIt()
    {
        await using var setup = await StartAsync(20, [10, 15, 20], new AddressProxyOptions());

        await DrainAsync(setup);

        var answer = Assert.Single(setup.Proxy.Answers);
        Assert.Equal(20, answer.Devices.Count);
        Assert.Equal(15, setup.Devices.Count(d => d.NodeId == "gw-1.3"));
        Assert.Equal(5, setup.Devices.Count(d => d.NodeId == "gw-1.4"));
        Assert.All(setup.Devices, d => Assert.Equal(answer.Devices.Single(a => a.DeviceId == d.DeviceId).NodeId, d.NodeId));
        Assert.Equal(0, setup.Cluster.AllNodes.Sum(n => n.Refused));
    }

    [Fact]
    public async Task Batch_EveryDeviceEndsOnExactlyOneNode_When_TheProxyDiesHalfwayAndAnswersAreLost()
    {
        await using var setup = await StartAsync(10, [40], new AddressProxyOptions { DieAfterHandingOut = 3, LoseEveryNthAnswer = 2, HandOffTimeoutMs = 300 });

        await DrainAsync(setup);

        Assert.True(setup.Proxy.IsDead);
        Assert.All(setup.Devices, d => Assert.Equal("gw-1.2", d.NodeId));
        var fresh = setup.Cluster.FindNode("gw-1.2")!;
        await setup.Log.WaitForAsync("dev-10 ready on gw-1.2");
        Assert.Equal(10, fresh.Connections);
        Assert.Equal(10, setup.Cluster.Master.Load("gw-1.2"));
        Assert.Contains(setup.Log.Texts, l => l.Contains("asks the master gateway itself (no answer from the proxy within 300 ms)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Defect_HandsEveryoneTheFirstAddress_SendsDevicesToANodeThatRefusesThem()
    {
        await using var setup = await StartAsync(20, [10, 15, 20], new AddressProxyOptions { HandsEveryoneTheFirstAddress = true });

        await DrainAsync(setup);

        Assert.True(setup.Cluster.FindNode("gw-1.3")!.Refused > 0);
    }

    [Fact]
    public async Task Batch_CarriesTheMembersLevelsAndPriorities_When_TheyAskedWithSome()
    {
        var master = new RecordingMaster();
        var proxy = new AddressProxy("a", "gw-1", ["a", "b", "c"], master, new AddressProxyOptions { CollectWindowMs = 5_000 });
        var token = TestContext.Current.CancellationToken;

        await Task.WhenAll(
            proxy.ClientFor("a").RequestAddressAsync(new("a", "gw-1"), token),
            proxy.ClientFor("b").RequestAddressAsync(new("b", "gw-1", 4, 0), token),
            proxy.ClientFor("c").RequestAddressAsync(new("c", "gw-1", 0, 6), token)).Within();

        var batch = Assert.Single(master.Batches);
        Assert.Equal(["a", "b", "c"], batch.DeviceIds.Order());
        Assert.Equal([new DevicePriority("b", 4, 0), new DevicePriority("c", 0, 6)], batch.Priorities!.OrderBy(p => p.DeviceId));
    }

    private sealed class RecordingMaster : IMasterGatewayClient
    {
        public List<BatchAddressRequest> Batches { get; } = [];

        public Task<AddressAnswer> RequestAddressAsync(AddressRequest request, CancellationToken cancellationToken) => Task.FromResult(new AddressAnswer("retry", RetryAfterMs: 1));

        public Task<BatchAddressAnswer> RequestAddressesAsync(BatchAddressRequest request, CancellationToken cancellationToken)
        {
            lock (Batches) Batches.Add(request);
            return Task.FromResult(new BatchAddressAnswer("answered", [.. request.DeviceIds.Select(d => new DeviceAddressAnswer(d, "assigned", "gw-1.2", "mem://gw-1.2"))]));
        }

        public Task ReportConnectFailedAsync(string deviceId, string nodeId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
