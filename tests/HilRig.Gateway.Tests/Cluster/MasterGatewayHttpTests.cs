using System.Net;
using System.Text;
using HilRig.Gateway.Cluster;
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
        var log = new RecordingSink();
        var bindings = new NodeBindings();
        await using var node = await AccessNode.StartAsync(new AccessNodeOptions("gw-1.1", "gw-1", "1.0.0", 2), new InMemoryTransport(), ServerEventSinks.None, token);
        bindings.Bind("gw-1", node);
        using var master = new MasterGateway(bindings, new MasterGatewayOptions(), log.Sink);
        await using var server = await MasterGatewayHttpServer.StartAsync(master, log.Sink, token);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

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
        var log = new RecordingSink();
        var bindings = new NodeBindings();
        await using var node = await AccessNode.StartAsync(new AccessNodeOptions("gw-1.1", "gw-1", "1.0.0", 1), new InMemoryTransport(), ServerEventSinks.None, token);
        bindings.Bind("gw-1", node);
        using var master = new MasterGateway(bindings, new MasterGatewayOptions(), log.Sink);
        await using var server = await MasterGatewayHttpServer.StartAsync(master, log.Sink, token);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        const string body = "{\"proxyDeviceId\":\"a\",\"logicalNode\":\"gw-1\",\"deviceIds\":[\"a\",\"b\"],\"priorities\":[{\"deviceId\":\"b\",\"deviceLevel\":4,\"addressPriority\":0}]}";

        using var posted = await http.PostAsync("master/addresses", new StringContent(body, Encoding.UTF8, "application/json"), token);
        var answer = CloudJson.TryDecode<BatchAddressAnswer>(await posted.Content.ReadAsByteArrayAsync(token), out var error);

        Assert.Null(error);
        Assert.Equal(["retry", "assigned"], answer!.Devices.Select(d => d.Status)); // b is over the device-level threshold (4 > 3)
    }
}
