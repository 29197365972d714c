using HilRig.Gateway.Cluster;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Cluster;

public sealed class MasterGatewayBatchTests : IAsyncLifetime
{
    private readonly BoundNodes _nodes = new();
    private readonly RecordingSink _log = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    private Task<AccessNode> BindAsync(string nodeId, int capacity, string version = "2.0.0") => _nodes.BindAsync("gw-1", nodeId, capacity, version);

    private MasterGateway Master() => new(_nodes.Bindings, new MasterGatewayOptions(), _log.Sink);

    private static IReadOnlyList<string> Devices(int count) => [.. Enumerable.Range(1, count).Select(i => $"d{i:D2}")];

    [Fact]
    public async Task RequestAddresses_AnswersOneTargetPerDeviceInOrder_When_TheSecondNodeCannotHoldTheBatch()
    {
        await BindAsync("gw-1.1", 10);
        var n15 = await BindAsync("gw-1.2", 15);
        var n20 = await BindAsync("gw-1.3", 20);
        using var master = Master();

        var answer = await master.RequestAddressesAsync(new BatchAddressRequest("d01", "gw-1", Devices(20)), TestContext.Current.CancellationToken);

        Assert.Equal("answered", answer.Status);
        Assert.Equal(Devices(20), answer.Devices.Select(d => d.DeviceId));
        Assert.Equal([.. Enumerable.Repeat("gw-1.2", 15), .. Enumerable.Repeat("gw-1.3", 5)], answer.Devices.Select(d => d.NodeId));
        Assert.Equal(n15.Address, answer.Devices[0].Address);
        Assert.Equal(n20.Address, answer.Devices[^1].Address);
        Assert.Equal(0, master.Load("gw-1.1"));
        Assert.Equal(15, master.Load("gw-1.2"));
        Assert.Contains(_log.Texts, l => l.Contains("gw-1.1 cannot take the batch of 20 from d01 whole; locked for it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestAddress_GivesTheBatchSlotAgain_When_ADeviceAsksAloneAfterItsBatch()
    {
        await BindAsync("gw-1.1", 10);
        await BindAsync("gw-1.2", 40);
        using var master = Master();
        await master.RequestAddressesAsync(new BatchAddressRequest("d01", "gw-1", Devices(20)), TestContext.Current.CancellationToken);

        // gw-1.1 has room, but d07 holds a slot on gw-1.2 from the batch: it gets that one, never a second slot.
        var alone = await master.RequestAddressAsync(new AddressRequest("d07", "gw-1"), TestContext.Current.CancellationToken);

        Assert.Equal("gw-1.2", alone.NodeId);
        Assert.Equal(20, master.Load("gw-1.2"));
        Assert.Equal(0, master.Load("gw-1.1"));
    }

    [Fact]
    public async Task RequestAddresses_AnswersRetryForTheRest_When_NoNodeHasRoom()
    {
        await BindAsync("gw-1.1", 2);
        using var master = Master();

        var answer = await master.RequestAddressesAsync(new BatchAddressRequest("d01", "gw-1", Devices(3)), TestContext.Current.CancellationToken);

        Assert.Equal(["assigned", "assigned", "retry"], answer.Devices.Select(d => d.Status));
        Assert.NotNull(answer.Devices[2].RetryAfterMs);
    }

    [Fact]
    public async Task RequestAddresses_RefusesTheBatch_When_ItNamesADeviceTwiceOrAnUnknownLogicalNode()
    {
        await BindAsync("gw-1.1", 10);
        using var master = Master();

        var twice = await master.RequestAddressesAsync(new BatchAddressRequest("d01", "gw-1", ["d01", "d02", "d01"]), TestContext.Current.CancellationToken);
        var unknown = await master.RequestAddressesAsync(new BatchAddressRequest("d01", "gw-9", ["d01"]), TestContext.Current.CancellationToken);

        Assert.Equal("bad-request", twice.Status);
        Assert.Equal("unknown-logical-node", unknown.Status);
        Assert.Contains(_log.Texts, l => l.Contains("batch address request from d01: device 'd01' twice", StringComparison.Ordinal));
        Assert.Equal(0, master.Load("gw-1.1"));
    }
}
