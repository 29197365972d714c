using System.Text;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Mqtt;
using HilRig.Servers.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace HilRig.Servers.Tests.Mqtt;

public sealed class MqttBrokerHostTests : IAsyncLifetime
{
    private readonly RecordingSink _sink = new();
    private MqttBrokerHost _broker = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MqttBrokerHost.StartAsync(new MqttBrokerOptions
        {
            Name = "vendor:acme",
            Devices = new DeviceRegistry().Add("dev-a", "secret-a").Add("dev-b", "secret-b"),
            Acl = DeviceTopicAcl.Vendor,
            BackendPassword = "backend-secret",
        }, _sink.Sink, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public void Broker_Listens_OnAPortTheOsPicked()
    {
        Assert.NotEqual(0, _broker.Port);
        Assert.Equal("127.0.0.1", _broker.Host);
    }

    [Theory]
    [InlineData("dev-a", "dev-a", "wrong", MqttClientConnectResultCode.BadUserNameOrPassword)]
    [InlineData("dev-x", "dev-x", "secret-a", MqttClientConnectResultCode.BadUserNameOrPassword)]
    [InlineData("dev-b", "dev-a", "secret-a", MqttClientConnectResultCode.NotAuthorized)]
    [InlineData("any", "backend", "wrong", MqttClientConnectResultCode.BadUserNameOrPassword)]
    public async Task Connect_IsRefused_When_CredentialsAreWrong(string clientId, string user, string password, MqttClientConnectResultCode expected)
    {
        var (client, result) = await DeviceClient.TryConnectAsync(_broker.Port, clientId, user, password);
        await using var _ = client;
        Assert.Equal(expected, result);
        Assert.Contains(_sink.Lines, l => l.Kind == "connect" && l.Detail.StartsWith($"refused client '{clientId}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_IsRefused_When_PasswordIsWrong_UnderMqtt311()
    {
        var (client, result) = await DeviceClient.TryConnectAsync(_broker.Port, "dev-a", "dev-a", "wrong", MqttProtocolVersion.V311);
        await using var _ = client;
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
    }

    [Fact]
    public async Task Subscribe_IsRefused_When_TopicIsAnotherDevicesOrAWildcard()
    {
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await a.SubscribeAsync(CloudTopics.VendorControl("dev-a")));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await a.SubscribeAsync(CloudTopics.VendorControl("dev-b")));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await a.SubscribeAsync("vendor/+/control"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await a.SubscribeAsync("#"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await a.SubscribeAsync(CloudTopics.VendorStatus("dev-a")));
        Assert.Contains(_sink.Lines, l => l.Kind == "acl" && l.Detail.Contains("wildcards are not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subscribe_IsRefused_UnderMqtt311_WithAFailureCode()
    {
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a", MqttProtocolVersion.V311);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await a.SubscribeAsync(CloudTopics.VendorControl("dev-b")));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await a.SubscribeAsync(CloudTopics.VendorControl("dev-a")));
    }

    [Fact]
    public async Task Publish_OnAnotherDevicesTopic_IsDroppedAndNeverReachesIt()
    {
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");
        await using var b = await DeviceClient.ConnectAsync(_broker.Port, "dev-b", "secret-b");
        await using var backend = await DeviceClient.ConnectBackendAsync(_broker.Port, "backend", "backend-secret");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await b.SubscribeAsync(CloudTopics.VendorControl("dev-b")));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await backend.SubscribeAsync("vendor/#"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await a.PublishAsync(CloudTopics.VendorControl("dev-b"), "forged"u8.ToArray()));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await a.PublishAsync(CloudTopics.VendorStatus("dev-b"), "forged"u8.ToArray()));

        // A barrier: the backend's own message to B arrives, and it is the first thing B received.
        await backend.PublishAsync(CloudTopics.VendorControl("dev-b"), "genuine"u8.ToArray());
        var first = await b.NextMessageAsync("the backend's control message");
        Assert.Equal("genuine", first.ConvertPayloadToString());
        var seenByBackend = await backend.NextMessageAsync("the backend's own message");
        Assert.Equal("genuine", seenByBackend.ConvertPayloadToString());
        Assert.Equal(2, _sink.Lines.Count(l => l.Kind == "acl" && l.Detail.Contains("device dev-a may not publish to 'vendor/dev-b/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Publish_OnItsOwnTopic_ReachesTheServerHandler()
    {
        var received = new TaskCompletionSource<BrokerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _broker.AddHandler("vendor/+/status", m => { received.TrySetResult(m); return Task.CompletedTask; });
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");

        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await a.PublishAsync(CloudTopics.VendorStatus("dev-a"), "{}"u8.ToArray()));

        var message = await received.Task.WaitAsync(TestTimeouts.Event, TestContext.Current.CancellationToken);
        Assert.Equal(("vendor/dev-a/status", "dev-a"), (message.Topic, message.SenderClientId));
        Assert.Contains(_sink.Lines, l => l.Kind == "mqtt" && l.Detail == "dev-a → vendor/dev-a/status (2 bytes): {}");
    }

    [Fact]
    public async Task Backend_MayUseEveryTopicAndWildcards()
    {
        await using var backend = await DeviceClient.ConnectBackendAsync(_broker.Port, "backend", "backend-secret");
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await backend.SubscribeAsync("#"));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await a.SubscribeAsync(CloudTopics.VendorOta("dev-a")));

        Assert.Equal(MqttClientPublishReasonCode.Success, await backend.PublishAsync(CloudTopics.VendorOta("dev-a"), "x"u8.ToArray()));
        Assert.Equal(MqttClientPublishReasonCode.Success, await backend.PublishAsync("anything/at/all", "y"u8.ToArray()));

        Assert.Equal("x", (await a.NextMessageAsync("the backend's message")).ConvertPayloadToString());
        Assert.Equal("vendor/dev-a/ota", (await backend.NextMessageAsync("its own message")).Topic);
        Assert.Equal("anything/at/all", (await backend.NextMessageAsync("its message outside the device topics")).Topic);
    }

    [Fact]
    public async Task ServerPublish_ReachesTheDevice_AndIsLogged()
    {
        await using var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");
        await a.SubscribeAsync(CloudTopics.VendorControl("dev-a"));

        await _broker.PublishAsync(CloudTopics.VendorControl("dev-a"), Encoding.UTF8.GetBytes(new string('z', 400)), TestContext.Current.CancellationToken);

        Assert.Equal(400, (await a.NextMessageAsync("the server's message")).Payload.Length);
        var line = Assert.Single(_sink.Lines, l => l.Detail.StartsWith("backend → vendor/dev-a/control", StringComparison.Ordinal));
        Assert.EndsWith("… (400 bytes)", line.Detail, StringComparison.Ordinal);
        Assert.Contains(_sink.Lines, l => l.Kind == "connect" && l.Detail.StartsWith("dev-a connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disconnect_IsReported()
    {
        var a = await DeviceClient.ConnectAsync(_broker.Port, "dev-a", "secret-a");
        await a.DisposeAsync();
        await _sink.WaitForAsync(l => l.Kind == "disconnect" && l.Detail.StartsWith("dev-a disconnected", StringComparison.Ordinal), "dev-a's disconnect");
    }
}
