using HilRig.Protocol.Cloud;
using HilRig.Servers.Mqtt;
using HilRig.Servers.Tests.Support;
using HilRig.Servers.Vendor;
using MQTTnet;

namespace HilRig.Servers.Tests.Faults;

public sealed class BrokerFaultsTests
{
    [Fact]
    public async Task Restart_DropsClients_RefusesConnections_ThenListensAgainOnTheSamePort()
    {
        var sink = new RecordingSink();
        await using var server = await VendorServer.StartAsync(new VendorServerOptions
        {
            ServerId = "acme",
            Devices = new DeviceRegistry().Add("dev-1", "s1"),
        }, sink.Sink, TestContext.Current.CancellationToken);
        var port = server.Broker.Port;
        await using var before = await DeviceClient.ConnectAsync(port, "dev-1", "s1");

        var restart = server.BrokerFaults!.RestartAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await before.Disconnected.WaitAsync(TestTimeouts.Event, TestContext.Current.CancellationToken);
        await sink.WaitForAsync(l => l.Kind == "broker" && l.Detail == $"stopped listening on 127.0.0.1:{port}", "the broker stopping");
        var refused = await Assert.ThrowsAnyAsync<MQTTnet.Exceptions.MqttCommunicationException>(() => DeviceClient.TryConnectAsync(port, "dev-1", "dev-1", "s1"));
        Assert.Contains("refused", refused.ToString(), StringComparison.OrdinalIgnoreCase);
        await restart;

        await using var after = await DeviceClient.ConnectAsync(port, "dev-1", "s1");
        await after.SubscribeAsync(CloudTopics.VendorControl("dev-1"));
        await server.Broker.PublishAsync(CloudTopics.VendorControl("dev-1"), "hello"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("hello", (await after.NextMessageAsync("a message after the restart")).ConvertPayloadToString());
        Assert.Equal(port, server.Broker.Port);
        Assert.Contains(sink.Lines, l => l.Kind == "fault" && l.Detail == $"broker restart: down for 2 s on port {port}");
        Assert.Contains(sink.Lines, l => l.Kind == "fault" && l.Detail == "broker restart: back");
    }

    [Fact]
    public async Task PublishWhileStopped_FailsNamingTheBroker()
    {
        await using var server = await VendorServer.StartAsync(new VendorServerOptions
        {
            ServerId = "acme",
            Devices = new DeviceRegistry(),
        }, ServerEventSinks.None, TestContext.Current.CancellationToken);
        await server.EmbeddedBroker!.StopAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            server.SendCommandAsync("dev-1", "ping", null, TestTimeouts.Event, TestContext.Current.CancellationToken));

        Assert.Equal("broker 'vendor:acme' is stopped: cannot publish to vendor/dev-1/control", error.Message);
    }
}
