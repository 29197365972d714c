using System.Net;
using System.Text;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>The master gateway's batch endpoint on loopback HTTP (docs/cloud.md §5.3).</summary>
public sealed class MasterGatewayHttpTests
{
    [Fact]
    public async Task PostAddresses_AnswersOneEntryPerDevice_When_AProxyAsksForABatch()
    {
        var token = TestContext.Current.CancellationToken;
        await using var served = await Served.StartAsync(capacity: 2);
        var (log, node, http) = (served.Log, served.Node, served.Http);

        var answer = await new MasterGatewayHttpClient(http).RequestAddressesAsync(new BatchAddressRequest("a", "gw-1", ["a", "b", "c"]), token);
        using var garbage = await http.PostAsync("master/addresses", new StringContent("{\"deviceIds\":7}", Encoding.UTF8, "application/json"), token);
        using var unknown = await http.PostAsync("master/addresses", new StringContent("{\"proxyDeviceId\":\"a\",\"logicalNode\":\"gw-9\",\"deviceIds\":[\"a\"]}", Encoding.UTF8, "application/json"), token);

        Assert.Equal("answered", answer.Status);
        Assert.Equal(["a", "b", "c"], answer.Devices.Select(d => d.DeviceId));
        Assert.Equal(["assigned", "assigned", "retry"], answer.Devices.Select(d => d.Status));
        Assert.Equal(node.Address, answer.Devices[0].Address);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains(log.Texts, l => l.Contains("/master/addresses: not a BatchAddressRequest", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task PostAddresses_SharesOutByTheDevicesPriorities_When_TheBatchCarriesThem()
    {
        var token = TestContext.Current.CancellationToken;
        await using var served = await Served.StartAsync(capacity: 1);
        var (log, node, http) = (served.Log, served.Node, served.Http);
        const string body = "{\"proxyDeviceId\":\"a\",\"logicalNode\":\"gw-1\",\"deviceIds\":[\"a\",\"b\"],\"priorities\":[{\"deviceId\":\"b\",\"deviceLevel\":4,\"addressPriority\":0}]}";

        using var posted = await http.PostAsync("master/addresses", new StringContent(body, Encoding.UTF8, "application/json"), token);
        var answer = CloudJson.TryDecode<BatchAddressAnswer>(await posted.Content.ReadAsByteArrayAsync(token), out var error);

        Assert.Null(error);
        Assert.Equal(["retry", "assigned"], answer!.Devices.Select(d => d.Status)); // b is over the device-level threshold (4 > 3)
    }

    /// <summary>A master gateway over one bound node of capacity <c>capacity</c>, served on loopback HTTP.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private readonly BoundNodes _nodes = new();
        private MasterGateway? _master;
        private MasterGatewayHttpServer? _server;

        public RecordingSink Log { get; } = new();

        public AccessNode Node { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public static async Task<Served> StartAsync(int capacity)
        {
            var served = new Served();
            served.Node = await served._nodes.BindAsync("gw-1", "gw-1.1", capacity, "1.0.0");
            served._master = new MasterGateway(served._nodes.Bindings, new MasterGatewayOptions(), served.Log.Sink);
            served._server = await MasterGatewayHttpServer.StartAsync(served._master, served.Log.Sink, TestContext.Current.CancellationToken);
            served.Http = new HttpClient { BaseAddress = served._server.BaseAddress };
            return served;
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (_server is not null) await _server.DisposeAsync();
            _master?.Dispose();
            await _nodes.DisposeAsync();
        }
    }
}
