using HilRig.Gherkin;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
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
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(deviceId)
            .WithCredentials(deviceId, secret).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build();
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
        var broker = cloud.Cloud.Vendor(serverId).EmbeddedBroker
            ?? throw new ExpectationException($"vendor server '{serverId}' uses an external broker; the rig cannot register a device on it");
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        broker.Devices.Add(deviceId, secret);
        var result = await ConnectAsync(serverId, deviceId, secret);
        Expect.That(result == MqttClientConnectResultCode.Success, $"device {deviceId} could not connect with its own secret: CONNACK {result}");
    }

    [Then("its subscription to the module's control topic is refused")]
    public async Task ThenSubscriptionRefused()
    {
        var client = _client ?? throw new InvalidOperationException("no client connected in this scenario");
        var topic = CloudTopics.VendorControl(cloud.DeviceId);
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), bench.Cancellation);
        var code = result.Items.Single().ResultCode;
        Expect.That(code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2),
            $"{_clientDevice} was granted a subscription to {topic} ({code})");
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
        var dropped = cloud.Timeline.Snapshot().Any(e => e.Kind == "acl" && e.Summary.Contains("dropped publish", StringComparison.Ordinal));
        Expect.That(dropped, "the vendor server's broker logged no dropped publish for the rogue command");
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
