using System.Buffers;
using System.Net;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using System.Security.Cryptography.X509Certificates;
using HilRig.Servers.Tls;
using HilRig.Bench.Module.Network.Station;

using HilRig.Protocol.Cloud;

namespace HilRig.Bench.Module.Network;

/// <summary>
/// The module's connection to one broker: connects with the device's credentials, subscribes to its
/// topics after every connect, reconnects with back-off (0.5 s doubling to 8 s, docs/cloud.md §4.2)
/// and keeps an outbox so that nothing published while the link is down is lost; messages leave in
/// the order they were published.
/// </summary>
public sealed class MqttLink : IAsyncDisposable
{
    private readonly string _name;
    private readonly AccessConfig _access;
    private readonly string _deviceId;
    private readonly IReadOnlyList<string> _subscriptions;
    private readonly Func<string, byte[], Task> _onMessage;
    private readonly Func<Task> _onConnected;
    private readonly Action<string> _log;
    private readonly X509Certificate2? _trustedCa;
    private readonly INameResolver? _names;
    private readonly IMqttClient _client;
    private readonly Channel<(string Topic, byte[] Payload)> _outbox = Channel.CreateUnbounded<(string, byte[])>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _connectLoop;
    private Task? _sendLoop;
    private int _pending;

    /// <summary>
    /// Creates the link; <see cref="Start"/> begins connecting. An access config with TLS connects over TLS and
    /// accepts only a server whose certificate chains to <paramref name="trustedCa"/> (the CA of the firmware's build).
    /// With <paramref name="names"/> (a WiFi station), the access config's host is looked up before every connect and the
    /// address dialled, while TLS checks the certificate against the host name.
    /// </summary>
    public MqttLink(string name, AccessConfig access, string deviceId, IReadOnlyList<string> subscriptions,
        Func<string, byte[], Task> onMessage, Func<Task> onConnected, Action<string> log, X509Certificate2? trustedCa = null,
        INameResolver? names = null)
    {
        _trustedCa = trustedCa;
        _names = names;
        _name = name;
        _access = access;
        _deviceId = deviceId;
        _subscriptions = subscriptions;
        _onMessage = onMessage;
        _onConnected = onConnected;
        _log = log;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            try
            {
                await _onMessage(e.ApplicationMessage.Topic, payload).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log($"{_name}: message on {e.ApplicationMessage.Topic} could not be handled: {ex.Message}");
            }
        };
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _log($"{_name}: connection lost ({e.Reason}{(e.Exception is null ? "" : $": {e.Exception.Message}")})");
                lock (_gate)
                {
                    // This handler can run late, after the connect loop has already reconnected: only a
                    // link that is really down gets a fresh, unfinished "connected" signal.
                    if (!_client.IsConnected && _connected.Task.IsCompleted)
                    {
                        _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
                _reconnect.Writer.TryWrite(true);
            }
            return Task.CompletedTask;
        };
    }

    private readonly Channel<bool> _reconnect = Channel.CreateUnbounded<bool>();

    /// <summary>True while connected.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages waiting in the outbox.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Starts connecting and sending.</summary>
    public void Start()
    {
        _reconnect.Writer.TryWrite(true);
        _connectLoop = Task.Run(() => ConnectLoopAsync(_stop.Token));
        _sendLoop = Task.Run(() => SendLoopAsync(_stop.Token));
    }

    /// <summary>Completes when the link is connected.</summary>
    public Task WhenConnected(CancellationToken cancellationToken) => CurrentSignal().WaitAsync(cancellationToken);

    private Task CurrentSignal()
    {
        lock (_gate)
        {
            return _connected.Task;
        }
    }

    private void SignalConnected()
    {
        lock (_gate)
        {
            _connected.TrySetResult();
        }
    }

    /// <summary>Queues a QoS 1 message; it leaves as soon as the link is up.</summary>
    public void Publish(string topic, byte[] payload)
    {
        Interlocked.Increment(ref _pending);
        _outbox.Writer.TryWrite((topic, payload));
    }

    /// <summary>Waits until the outbox is empty or <paramref name="timeout"/> passes; true when it emptied.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (Pending > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return Pending == 0;
    }

    private async Task ConnectLoopAsync(CancellationToken token)
    {
        var backOff = FirmwareDownloader.FirstBackOff;
        if (_access.Tls && _trustedCa is null)
        {
            _log($"{_name}: TLS server {_access.Host}:{_access.Port} but the firmware holds no CA certificate: it cannot verify any server, so it connects to none");
            return;
        }
        var fixedOptions = _names is null ? Options(address: null) : null;
        IPAddress? known = null;
        try
        {
            while (await _reconnect.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (_reconnect.Reader.TryRead(out _))
                {
                }
                while (!_client.IsConnected)
                {
                    try
                    {
                        var options = fixedOptions;
                        if (options is null)
                        {
                            var address = await _names!.ResolveAsync(_access.Host, token).ConfigureAwait(false);
                            if (!address.Equals(known) && !IPAddress.TryParse(_access.Host, out _))
                            {
                                _log($"{_name}: name {_access.Host} is {address}");
                            }
                            known = address;
                            options = Options(address);
                        }
                        var result = await _client.ConnectAsync(options, token).ConfigureAwait(false);
                        if (result.ResultCode != MqttClientConnectResultCode.Success)
                        {
                            throw new InvalidOperationException($"CONNACK {result.ResultCode}");
                        }
                        foreach (var topic in _subscriptions)
                        {
                            var sub = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                                .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), token).ConfigureAwait(false);
                            var code = sub.Items.FirstOrDefault()?.ResultCode;
                            if (code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
                            {
                                _log($"{_name}: subscription to {topic} refused ({code})");
                            }
                        }
                        _log($"{_name}: connected to {_access.Host}:{_access.Port}{(_access.Tls ? " over TLS" : "")} as {_deviceId}");
                        backOff = FirmwareDownloader.FirstBackOff;
                        SignalConnected();
                        await _onConnected().ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        _log(ex is StationException
                            ? $"{_name}: {ex.Message}; retrying in {backOff.TotalSeconds:0.#} s"
                            : $"{_name}: cannot connect to {_access.Host}:{_access.Port} ({ex.Message}); retrying in {backOff.TotalSeconds:0.#} s");
                        await Task.Delay(backOff, token).ConfigureAwait(false);
                        backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, FirmwareDownloader.MaxBackOff.Ticks));
                    }
                }
                if (_client.IsConnected)
                {
                    SignalConnected();
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>The connect options: the access config's host, or <paramref name="address"/> it resolved to with TLS still checking the host name.</summary>
    private MqttClientOptions Options(IPAddress? address)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithNamedServer(_access.Host, address, _access.Port)
            .WithClientId(_deviceId)
            .WithCredentials(_deviceId, _access.Secret)
            .WithCleanSession(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5));
        if (_access.Tls)
        {
            builder.WithBenchTls(_trustedCa!, problem => _log($"{_name}: TLS: refusing {_access.Host}:{_access.Port}: {problem}"));
        }
        return builder.Build().NamedFor(_access.Host);
    }

    private async Task SendLoopAsync(CancellationToken token)
    {
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (!_outbox.Reader.TryPeek(out var item))
                {
                    continue;
                }
                // Waits for the link, but never trusts the signal alone: if it was replaced late while the
                // client is in fact connected, the send goes ahead after a short look at the client.
                while (!_client.IsConnected)
                {
                    var signal = CurrentSignal();
                    if (signal.IsCompleted)
                    {
                        // Down, but the loss is not signalled yet.
                        await Task.Delay(50, token).ConfigureAwait(false);
                        continue;
                    }
                    try
                    {
                        await signal.WaitAsync(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                    }
                }
                try
                {
                    var message = new MqttApplicationMessageBuilder().WithTopic(item.Topic).WithPayload(item.Payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    var result = await _client.PublishAsync(message, token).ConfigureAwait(false);
                    if (!result.IsSuccess)
                    {
                        _log($"{_name}: publish to {item.Topic} refused ({result.ReasonCode})");
                    }
                    _outbox.Reader.TryRead(out _);
                    Interlocked.Decrement(ref _pending);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // Kept at the head of the outbox: it leaves again once the link is back.
                    if (!_client.IsConnected)
                    {
                        await Task.Delay(50, token).ConfigureAwait(false);
                    }
                    else
                    {
                        _log($"{_name}: publish to {item.Topic} failed ({ex.Message}); retrying");
                        await Task.Delay(200, token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var loop in new[] { _connectLoop, _sendLoop })
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException or OperationCanceledException)
            {
            }
        }
        _client.Dispose();
        _stop.Dispose();
    }
}
