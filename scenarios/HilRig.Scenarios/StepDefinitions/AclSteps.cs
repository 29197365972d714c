using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using HilRig.Servers.Tls;
using MQTTnet;
using MQTTnet.Protocol;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps that try a vendor server's credentials and topic ACLs with a client of the rig's own (docs/cloud.md §3.3).</summary>
[Binding]
public sealed class AclSteps(BenchDriver bench, CloudDriver cloud) : IAsyncDisposable
{
    private IMqttClient? _client;
    private string _clientDevice = "";
    private MqttClientConnectResultCode? _connectResult;

    private async Task<MqttClientConnectResultCode> ConnectAsync(string serverId, string deviceId, string secret)
    {
        var broker = cloud.Cloud.Vendor(serverId).Broker;
        _client = new MqttClientFactory().CreateMqttClient();
        _clientDevice = deviceId;
        var builder = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(deviceId)
            .WithCredentials(deviceId, secret).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5));
        if (broker.Tls is { } tls)
        {
            // On a TLS bench the broker has no plain port: the client checks it against the bench CA like the module does.
            builder.WithBenchTls(tls.LoadCa(), problem => throw new InvalidOperationException($"vendor server '{serverId}': {problem}"));
        }
        var options = builder.Build();
        // MQTTnet 5 returns a refused CONNACK as a result; it throws only when no CONNACK came at all.
        var result = await _client.ConnectAsync(options, bench.Cancellation);
        return result.ResultCode;
    }

    [When("a client connects to vendor server {string} as {string} with the secret {string}")]
    public async Task WhenClientConnects(string serverId, string deviceId, string secret) =>
        _connectResult = await ConnectAsync(serverId, deviceId, secret);

    [Then("the connection is refused as not authorized")]
    public void ThenRefused()
    {
        Expect.That(_connectResult is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized,
            $"the broker answered CONNACK {_connectResult}, expected BadUserNameOrPassword or NotAuthorized");
    }

    [When("device {string} connects to vendor server {string} with its own secret")]
    public async Task WhenOtherDeviceConnects(string deviceId, string serverId)
    {
        Expect.That(deviceId == Core.Servers.CloudBench.NeighbourDeviceId,
            $"the bench's servers know one other device, {Core.Servers.CloudBench.NeighbourDeviceId}, not '{deviceId}'");
        var result = await ConnectAsync(serverId, deviceId, cloud.Cloud.NeighbourSecret);
        Expect.That(result == MqttClientConnectResultCode.Success, $"device {deviceId} could not connect with its own secret: CONNACK {result}");
    }

    [Then("it never receives what the vendor backend sends on the module's control topic")]
    public async Task ThenNeverReceives()
    {
        var client = _client ?? throw new InvalidOperationException("no client connected in this scenario");
        var topic = CloudTopics.VendorControl(cloud.DeviceId);
        var received = new List<string>();
        var own = CloudTopics.VendorControl(_clientDevice);
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == own) barrier.TrySetResult();
            else lock (received) received.Add(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(own, MqttQualityOfServiceLevel.AtLeastOnce).Build(), bench.Cancellation);
        // The embedded broker refuses the subscription in its SUBACK; mosquitto 2.0 grants it but never
        // delivers on it (docs/cloud.md §3.3). Either way nothing may arrive.
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), bench.Cancellation);
        var code = result.Items.Single().ResultCode;
        // The module answers the backend's ping, so the ping went out on that topic before the reply came back.
        var reply = await cloud.Cloud.Vendor(cloud.Cloud.Wiring.Vendors[0].Id).SendCommandAsync(cloud.DeviceId, "ping", null, CloudDriver.ConnectTimeout, bench.Cancellation);
        Expect.That(reply.Result == "pong", $"the module answered the backend's ping with '{reply.Result}'");
        // A barrier on the client's own control topic, published after the ping: once it arrives, anything the
        // broker delivered to the client before it has arrived too.
        var vendor = cloud.Cloud.Vendor(cloud.Cloud.Wiring.Vendors[0].Id);
        await vendor.Broker.PublishAsync(own, CloudJson.Encode(new ControlCommand("barrier", "ping")), bench.Cancellation);
        await barrier.Task.WaitAsync(TimeSpan.FromSeconds(10), bench.Cancellation);
        lock (received)
        {
            Expect.That(received.Count == 0, $"{_clientDevice} (subscription answered {code}) received: {string.Join(", ", received)}");
        }
    }

    [Then("its command published on the module's control topic never reaches the module")]
    public async Task ThenCommandNeverReaches()
    {
        var client = _client ?? throw new InvalidOperationException("no client connected in this scenario");
        var command = new ControlCommand("rogue-1", "set-power", "off");
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(CloudTopics.VendorControl(cloud.DeviceId))
            .WithPayload(CloudJson.Encode(command)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), bench.Cancellation);
        // The module answers a real command within milliseconds; a get-status sent after the rogue command is
        // answered after it would have been, so its answer shows whether the rogue one ran.
        var firmware = await cloud.Cloud.Vendor(cloud.Cloud.Wiring.Vendors[0].Id).SendCommandAsync(cloud.DeviceId, "get-status", null, CloudDriver.ConnectTimeout, bench.Cancellation);
        var status = CloudJson.TryDecode<StatusReport>(System.Text.Encoding.UTF8.GetBytes(firmware.Result ?? ""), out _);
        Expect.That(status?.Power == "on", $"the module's body power is '{status?.Power}' after {_clientDevice}'s rogue set-power off");
        var replies = cloud.Timeline.Snapshot().Where(e => e.Kind == "mqtt" && e.Summary.Contains("rogue-1", StringComparison.Ordinal)
            && e.Summary.Contains(CloudTopics.VendorReply(cloud.DeviceId), StringComparison.Ordinal)).ToList();
        Expect.That(replies.Count == 0, $"the module answered the rogue command: {string.Join("; ", replies.Select(r => r.Summary))}");
        if (cloud.Cloud.Vendor(cloud.Cloud.Wiring.Vendors[0].Id).EmbeddedBroker is not null)
        {
            // The embedded broker logs every publish its ACL drops (mosquitto does so only at debug level).
            var dropped = cloud.Timeline.Snapshot().Any(e => e.Kind == "acl" && e.Summary.Contains("dropped publish", StringComparison.Ordinal));
            Expect.That(dropped, "the vendor server's broker logged no dropped publish for the rogue command");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }
            _client.Dispose();
        }
    }
}
