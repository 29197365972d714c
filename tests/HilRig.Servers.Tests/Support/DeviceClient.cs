using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;

namespace HilRig.Servers.Tests.Support;

/// <summary>A real MQTTnet client on loopback, standing in for a device or the backend, that collects what it receives.</summary>
public sealed class DeviceClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DeviceClient()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the broker drops the connection.</summary>
    public Task Disconnected => _disconnected.Task;

    /// <summary>Connects and returns the CONNACK result, whether accepted or not.</summary>
    public static async Task<(DeviceClient Client, MqttClientConnectResultCode Result)> TryConnectAsync(
        int port, string clientId, string userName, string password, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var device = new DeviceClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithCredentials(userName, password)
            .WithProtocolVersion(version)
            .WithTimeout(TestTimeouts.Event)
            .Build();
        try
        {
            // MQTTnet 5 returns a refused CONNACK as a result; it throws only when there is no CONNACK at all.
            var result = await device._client.ConnectAsync(options, TestContext.Current.CancellationToken);
            return (device, result.ResultCode);
        }
        catch
        {
            await device.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects as a device (client id = user name = device id); fails the test when refused.</summary>
    public static async Task<DeviceClient> ConnectAsync(int port, string deviceId, string secret, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var (client, result) = await TryConnectAsync(port, deviceId, deviceId, secret, version);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return client;
    }

    /// <summary>Connects as the privileged backend user, with a client id of no device.</summary>
    public static async Task<DeviceClient> ConnectBackendAsync(int port, string userName, string password)
    {
        var (client, result) = await TryConnectAsync(port, $"{userName}-{Guid.NewGuid():N}", userName, password);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return client;
    }

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string topicFilter)
    {
        var result = await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicFilter, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        return result.Items.Single().ResultCode;
    }

    public async Task<MqttClientPublishReasonCode> PublishAsync(string topic, byte[] payload)
    {
        var result = await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        return result.ReasonCode;
    }

    /// <summary>The next message received, whatever its topic.</summary>
    public async Task<MqttApplicationMessage> NextMessageAsync(string description)
    {
        try
        {
            return await _received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Event, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"client '{_client.Options?.ClientId}' received nothing while waiting for {description}");
        }
    }

    /// <summary>Whether a message is already waiting (for "nothing else arrived" checks after a barrier message).</summary>
    public bool HasPendingMessage => _received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        }
        _client.Dispose();
    }
}
