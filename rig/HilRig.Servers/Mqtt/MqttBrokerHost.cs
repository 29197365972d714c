using System.Net;
using System.Threading.Channels;
using HilRig.Servers.Internal;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace HilRig.Servers.Mqtt;

/// <summary>
/// An MQTT broker (MQTTnet.Server) embedded in the rig's process, listening on 127.0.0.1 only (plain MQTT, or MQTT over TLS alone with a certificate from the bench CA), with device
/// credentials and per-device topic ACLs (docs/cloud.md §3.3). It can be stopped and started again on the same
/// port (the "broker restart" fault). Every connect, disconnect, publish and refusal is one line on the sink.
/// </summary>
public sealed partial class MqttBrokerHost : IDeviceBroker, IAsyncDisposable
{
    /// <summary>Client id the server's own publishes carry inside the broker; no device can have it (it starts with '$').</summary>
    internal const string BackendSenderId = "$backend";

    private readonly MqttBrokerOptions _options;
    private readonly ServerEventSink _sink;
    private readonly Channel<BrokerMessage> _inbox = Channel.CreateUnbounded<BrokerMessage>(new() { SingleReader = true });
    private readonly List<(string Filter, Func<BrokerMessage, Task> Handler)> _handlers = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Task _dispatchLoop;
    private MqttServer? _server;

    private MqttBrokerHost(MqttBrokerOptions options, ServerEventSink sink)
    {
        _options = options;
        _sink = sink;
        Port = options.Port;
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    /// <summary>Starts a broker; its port is known when this returns.</summary>
    public static async Task<MqttBrokerHost> StartAsync(MqttBrokerOptions options, ServerEventSink sink, CancellationToken cancellationToken)
    {
        var host = new MqttBrokerHost(options, sink);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return host;
    }

    /// <summary>Source name on the sink.</summary>
    public string Name => _options.Name;

    /// <inheritdoc />
    public string Host => "127.0.0.1";

    /// <summary>The loopback port; it stays the same across <see cref="StopAsync"/> and <see cref="StartAsync(CancellationToken)"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Whether the broker listens now.</summary>
    public bool IsRunning => _server is { IsStarted: true };

    /// <inheritdoc />
    public Tls.ServerCertificate? Tls => _options.Tls;

    /// <summary>The devices that may connect.</summary>
    public DeviceRegistry Devices => _options.Devices;

    /// <summary>User name of the privileged backend user.</summary>
    public string BackendUserName => _options.BackendUserName;

    /// <summary>Password of the privileged backend user.</summary>
    public string BackendPassword => _options.BackendPassword;

    /// <summary>Starts listening (again) on <see cref="Port"/>, or on a port the OS picks the first time when it is 0.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is not null)
            {
                return;
            }
            // A restart binds the same port while the old connections may sit in TIME_WAIT (hence ReuseAddress).
            var options = _options.Tls is { } tls
                ? new MqttServerOptionsBuilder()
                    .WithoutDefaultEndpoint()
                    .WithEncryptedEndpoint()
                    .WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback)
                    .WithEncryptedEndpointBoundIPV6Address(IPAddress.None)
                    .WithEncryptedEndpointPort(Port)
                    .WithEncryptionCertificate(tls.Certificate)
                    .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
                    .WithTlsEndpointReuseAddress()
                    .Build()
                : new MqttServerOptionsBuilder()
                    .WithDefaultEndpoint()
                    .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                    .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
                    .WithDefaultEndpointPort(Port)
                    .WithDefaultEndpointReuseAddress()
                    .Build();
            var server = new MqttServerFactory().CreateMqttServer(options);
            server.ValidatingConnectionAsync += ValidateConnectionAsync;
            server.ClientConnectedAsync += OnClientConnectedAsync;
            server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
            server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
            server.InterceptingPublishAsync += InterceptPublishAsync;
            await server.StartAsync().ConfigureAwait(false);
            // MQTTnet's TCP listener writes the port the OS bound back into the endpoint options (5.2).
            Port = _options.Tls is null ? options.DefaultEndpointOptions.Port : options.TlsEndpointOptions.Port;
            if (Port == 0)
            {
                await server.StopAsync().ConfigureAwait(false);
                server.Dispose();
                throw new InvalidOperationException($"broker '{Name}' started but MQTTnet did not report the port it bound");
            }
            _server = server;
            _sink(Name, "broker", $"listening on {Host}:{Port}{(_options.Tls is null ? "" : " (MQTT over TLS)")}");
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops listening and disconnects every client (reason "server shutting down" under MQTT 5).</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_server is not { } server)
            {
                return;
            }
            _server = null;
            await server.StopAsync(new MqttServerStopOptionsBuilder()
                .WithDefaultClientDisconnectOptions(o => o.WithReasonCode(MqttDisconnectReasonCode.ServerShuttingDown))
                .Build()).ConfigureAwait(false);
            server.Dispose();
            _sink(Name, "broker", $"stopped listening on {Host}:{Port}");
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var server = _server ?? throw new InvalidOperationException($"broker '{Name}' is stopped: cannot publish to {topic}");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        _sink(Name, "mqtt", $"backend → {topic} ({payload.Length} bytes): {EventText.Payload(payload.Span)}");
        await server.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(message) { SenderClientId = BackendSenderId, SenderUserName = BackendUserName },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void AddHandler(string topicFilter, Func<BrokerMessage, Task> handler)
    {
        lock (_handlers)
        {
            _handlers.Add((topicFilter, handler));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        await _dispatchLoop.ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private async Task DispatchLoopAsync()
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            List<Func<BrokerMessage, Task>> handlers;
            lock (_handlers)
            {
                handlers = _handlers
                    .Where(h => MqttTopicFilterComparer.Compare(message.Topic, h.Filter) == MqttTopicFilterCompareResult.IsMatch)
                    .Select(h => h.Handler)
                    .ToList();
            }
            foreach (var handler in handlers)
            {
                try
                {
                    await handler(message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _sink(Name, "error", $"handling {message.Topic} failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }
}
