using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// A physical access node: an MQTT endpoint devices connect to (docs/cloud.md §5.1). It forwards
/// the vendor backend's commands down, passes replies up to its observers, counts connections and
/// uplink traffic, enforces its capacity, and sends devices the offline instruction when drained.
/// </summary>
public sealed class AccessNode : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly ServerEventSink _sink;
    private readonly string _source;
    private readonly ConcurrentDictionary<string, byte> _connected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _offlineSent = new(StringComparer.Ordinal);
    private IAccessNodeObserver[] _observers = [];
    private int _connections;
    private int _peakConnections;
    private long _uplinkMessages;
    private long _refusedWhileAccepting;
    private long _refused;
    private long _dropped;
    private long _uncleanDisconnects;
    private volatile bool _accepting = true;
    private volatile bool _running;
    private volatile string? _drainReason;
    private volatile AccessNodeFault _fault;

    private AccessNode(AccessNodeOptions options, GatewayTransport transport, ServerEventSink sink)
    {
        Options = options;
        _sink = sink;
        _source = "gateway:" + options.NodeId;
        var serverOptions = transport is InMemoryTransport ? InMemoryTransport.ServerOptions() : TcpLoopbackTransport.ServerOptions();
        _server = transport.CreateServer(options.NodeId, serverOptions);
        _server.ValidatingConnectionAsync += ValidateAsync;
        _server.ClientConnectedAsync += e => NotifyAsync(o => o.OnDeviceConnectedAsync(this, e.ClientId));
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientSubscribedTopicAsync += OnSubscribedAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.ClientDisconnectedAsync += OnDisconnectedAsync;
        ServerOptions = serverOptions;
        Transport = transport;
        Address = "";
    }

    /// <summary>Starts a node and its MQTT endpoint.</summary>
    public static async Task<AccessNode> StartAsync(AccessNodeOptions options, GatewayTransport transport, ServerEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var node = new AccessNode(options, transport, sink);
        await node._server.StartAsync().ConfigureAwait(false);
        node.Address = transport.AddressOf(options.NodeId, node._server, node.ServerOptions);
        node._running = true;
        sink(node._source, "start", $"access node {options.NodeId} v{options.Version} for {options.LogicalNode} at {node.Address}, capacity {options.Capacity}");
        return node;
    }

    /// <summary>What the node is.</summary>
    public AccessNodeOptions Options { get; }
    /// <summary>Physical node id.</summary>
    public string NodeId => Options.NodeId;
    /// <summary>Software version.</summary>
    public string Version => Options.Version;
    /// <summary>Most connections at once.</summary>
    public int Capacity => Options.Capacity;
    /// <summary>Where devices connect: "mqtt://127.0.0.1:port" or "mem://node-id".</summary>
    public string Address { get; private set; }
    /// <summary>The transport it listens on.</summary>
    public GatewayTransport Transport { get; }
    internal MqttServerOptions ServerOptions { get; }

    /// <summary>False once it stops accepting connections (draining, not bound, shut).</summary>
    public bool Accepting => _accepting && _running;
    /// <summary>True from start until shut.</summary>
    public bool IsRunning => _running;
    /// <summary>The reason it is draining ("upgrade", "rollback"), or null.</summary>
    public string? DrainReason => _drainReason;
    /// <summary>Devices connected now.</summary>
    public int Connections => Volatile.Read(ref _connections);
    /// <summary>Most devices connected at once since start.</summary>
    public int PeakConnections => Volatile.Read(ref _peakConnections);
    /// <summary>Messages devices published to this node (uplink traffic) since start.</summary>
    public long UplinkMessages => Interlocked.Read(ref _uplinkMessages);
    /// <summary>Connections refused by an injected fault while the node claimed to accept.</summary>
    public long RefusedWhileAccepting => Interlocked.Read(ref _refusedWhileAccepting);
    /// <summary>Connections refused because it was not accepting or full.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>Connections the node dropped (injected fault).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Device connections that ended without a DISCONNECT packet while the node ran.</summary>
    public long UncleanDisconnects => Interlocked.Read(ref _uncleanDisconnects);
    /// <summary>The injected fault.</summary>
    public AccessNodeFault Fault => _fault;
    /// <summary>Ids of the devices connected now.</summary>
    public IReadOnlyCollection<string> ConnectedDevices => _connected.Keys.ToArray();
    /// <summary>True when <paramref name="deviceId"/> is connected now.</summary>
    public bool IsConnected(string deviceId) => _connected.ContainsKey(deviceId);

    /// <summary>Adds an observer (dispatcher, master gateway).</summary>
    public void Observe(IAccessNodeObserver observer)
    {
        lock (_connected) _observers = [.. _observers, observer];
    }

    /// <summary>Injects a fault; <see cref="AccessNodeFault.DropConnections"/> also drops the devices connected now.</summary>
    public async Task InjectFaultAsync(AccessNodeFault fault)
    {
        _fault = fault;
        _sink(_source, "fault", $"{NodeId}: fault {fault}");
        if (fault == AccessNodeFault.DropConnections)
        {
            foreach (var deviceId in ConnectedDevices) await DropAsync(deviceId).ConfigureAwait(false);
        }
    }

    /// <summary>Forwards a command to a connected device; false when the device is not connected here.</summary>
    public async Task<bool> TrySendCommandAsync(string deviceId, ControlCommand command, CancellationToken cancellationToken)
    {
        if (!_running || !_connected.ContainsKey(deviceId)) return false;
        await InjectAsync(GatewayTopics.Command(deviceId), CloudJson.Encode(command), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Stops accepting connections; connected devices get the offline instruction batch by batch (<see cref="SendOfflineBatchAsync"/>), late ones at once.</summary>
    public void BeginDrain(string reason)
    {
        _accepting = false;
        _drainReason = reason;
        _sink(_source, "drain", $"{NodeId} stops accepting connections ({reason}); {Connections} device(s) connected");
    }

    /// <summary>Accepts connections again and forgets the drain (rollback to this node).</summary>
    public void Resume()
    {
        _drainReason = null;
        _offlineSent.Clear();
        _accepting = true;
        _sink(_source, "resume", $"{NodeId} accepts connections again");
    }

    /// <summary>Sends the next batch of offline instructions while draining; returns how many were sent (0: every connected device has one).</summary>
    public async Task<int> SendOfflineBatchAsync(CancellationToken cancellationToken)
    {
        if (_drainReason is null) return 0;
        var batch = _connected.Keys.Where(d => !_offlineSent.ContainsKey(d)).Take(Options.OfflineBatchSize).ToArray();
        foreach (var deviceId in batch) await SendOfflineAsync(deviceId, cancellationToken).ConfigureAwait(false);
        return batch.Length;
    }

    /// <summary>Stops the MQTT endpoint; connected devices lose their connection.</summary>
    public async Task ShutAsync()
    {
        if (!_running) return;
        _running = false;
        _accepting = false;
        _sink(_source, "shut", $"{NodeId} shut with {Connections} device(s) connected, {UplinkMessages} uplink message(s) in all, peak {PeakConnections}/{Capacity}");
        await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        _server.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ShutAsync().ConfigureAwait(false);

    private async Task SendOfflineAsync(string deviceId, CancellationToken cancellationToken)
    {
        var reason = _drainReason;
        if (reason is null || !_offlineSent.TryAdd(deviceId, 0)) return;
        await NotifyAsync(o => o.OnDeviceOfflineSentAsync(this, deviceId)).ConfigureAwait(false);
        var instruction = new OfflineInstruction(NodeId, Options.LogicalNode, reason);
        await InjectAsync(GatewayTopics.Offline(deviceId), CloudJson.Encode(instruction), cancellationToken).ConfigureAwait(false);
    }

    private Task InjectAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "" }, cancellationToken);
    }

    private async Task DropAsync(string deviceId)
    {
        Interlocked.Increment(ref _dropped);
        _sink(_source, "fault", $"{NodeId} drops {deviceId}");
        await _server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerBusy }).ConfigureAwait(false);
    }

    private Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        var deviceId = e.ClientId;
        if (string.IsNullOrEmpty(deviceId) || Options.IsKnownDevice?.Invoke(deviceId) == false)
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            _sink(_source, "refused", $"{NodeId} refused unknown device '{deviceId}'");
            return Task.CompletedTask;
        }
        if (_fault == AccessNodeFault.RefuseConnections && _accepting)
        {
            Interlocked.Increment(ref _refusedWhileAccepting);
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            _sink(_source, "fault", $"{NodeId} refused {deviceId} (injected fault)");
            return Task.CompletedTask;
        }
        if (!Accepting)
        {
            Interlocked.Increment(ref _refused);
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            _sink(_source, "refused", $"{NodeId} refused {deviceId}: not accepting connections");
            return Task.CompletedTask;
        }
        // A second connection with the same client id takes the first over: it does not count twice.
        if (_connected.TryAdd(deviceId, 0))
        {
            var now = Interlocked.Increment(ref _connections);
            if (now > Capacity)
            {
                Interlocked.Decrement(ref _connections);
                _connected.TryRemove(deviceId, out _);
                Interlocked.Increment(ref _refused);
                e.ReasonCode = MqttConnectReasonCode.QuotaExceeded;
                _sink(_source, "refused", $"{NodeId} refused {deviceId}: full ({Capacity})");
                return Task.CompletedTask;
            }
            int peak;
            while (now > (peak = Volatile.Read(ref _peakConnections)) && Interlocked.CompareExchange(ref _peakConnections, now, peak) != peak)
            {
            }
        }
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var topic = e.TopicFilter.Topic;
        if (topic != GatewayTopics.Command(e.ClientId) && topic != GatewayTopics.Offline(e.ClientId))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            _sink(_source, "refused", $"{NodeId} refused subscription of {e.ClientId} to '{topic}': not in its ACL");
        }
        return Task.CompletedTask;
    }

    private async Task OnSubscribedAsync(ClientSubscribedTopicEventArgs e)
    {
        var deviceId = e.ClientId;
        if (e.TopicFilter.Topic != GatewayTopics.Command(deviceId)) return;
        if (_fault == AccessNodeFault.DropConnections)
        {
            await DropAsync(deviceId).ConfigureAwait(false);
            return;
        }
        _sink(_source, "ready", $"{deviceId} ready on {NodeId}");
        await NotifyAsync(o => o.OnDeviceReadyAsync(this, deviceId)).ConfigureAwait(false);
        if (_drainReason is not null) await SendOfflineAsync(deviceId, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var deviceId = e.ClientId;
        if (string.IsNullOrEmpty(deviceId)) return; // injected by this node
        Interlocked.Increment(ref _uplinkMessages);
        e.ProcessPublish = false; // the node consumes device traffic; nothing is relayed to other devices
        var topic = e.ApplicationMessage.Topic;
        if (topic != GatewayTopics.Reply(deviceId))
        {
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            _sink(_source, "refused", $"{NodeId} dropped a publish of {deviceId} to '{topic}': not in its ACL");
            return;
        }
        var reply = CloudJson.TryDecode<CommandReply>(e.ApplicationMessage.Payload.ToArray(), out var error);
        if (reply is null || string.IsNullOrEmpty(reply.CommandId))
        {
            _sink(_source, "garbage", $"{NodeId} ignored an undecodable reply from {deviceId} on '{topic}': {error ?? "no command id"}");
            return;
        }
        await NotifyAsync(o => o.OnReplyAsync(this, deviceId, reply)).ConfigureAwait(false);
    }

    private async Task OnDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        var deviceId = e.ClientId;
        if (_connected.TryRemove(deviceId, out _)) Interlocked.Decrement(ref _connections);
        _offlineSent.TryRemove(deviceId, out _);
        var clean = e.DisconnectType == MqttClientDisconnectType.Clean;
        if (!clean && _running) Interlocked.Increment(ref _uncleanDisconnects);
        _sink(_source, "disconnect", string.Create(CultureInfo.InvariantCulture, $"{deviceId} left {NodeId} ({(clean ? "clean" : "not clean")}); {Connections} connected"));
        await NotifyAsync(o => o.OnDeviceGoneAsync(this, deviceId, clean)).ConfigureAwait(false);
    }

    private async Task NotifyAsync(Func<IAccessNodeObserver, Task> call)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                await call(observer).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _sink(_source, "error", $"{NodeId}: observer {observer.GetType().Name} failed: {ex.Message}");
            }
        }
    }
}
