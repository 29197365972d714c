using System.Collections.Concurrent;
using System.Globalization;
using HilRig.Gateway.Cluster.Endpoints;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Cluster;

/// <summary>What the node decided about a connection (<see cref="AccessNode.Admit"/>).</summary>
internal enum Admission
{
    Admitted,
    Unknown,
    BadPassword,
    RefusedByFault,
    NotAccepting,
    Full,
}

/// <summary>
/// A physical access node: an MQTT endpoint devices connect to (docs/cloud.md §5.1). It forwards
/// the vendor backend's commands down, passes replies up to its observers, counts connections and
/// uplink traffic, enforces its capacity, and sends devices the offline instruction when drained.
/// The broker itself is an MQTTnet server in the rig's process, or a mosquitto process the rig starts
/// when <see cref="AccessNodeOptions.Mosquitto"/> is set (§5.6 lists what differs).
/// </summary>
public sealed class AccessNode : IAsyncDisposable
{
    private readonly AccessNodeEndpoint _endpoint;
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
        Transport = transport;
        Address = "";
        _endpoint = options.Mosquitto is { } mosquitto ? new MosquittoEndpoint(this, mosquitto, sink) : new EmbeddedEndpoint(this, transport);
    }

    /// <summary>Starts a node and its MQTT endpoint (embedded, or mosquitto when <see cref="AccessNodeOptions.Mosquitto"/> is set).</summary>
    public static async Task<AccessNode> StartAsync(AccessNodeOptions options, GatewayTransport transport, ServerEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        if (options.Mosquitto is not null && transport is not TcpLoopbackTransport)
        {
            throw new ArgumentException($"a mosquitto access node is reached over loopback TCP; the {transport.Name} transport cannot reach it", nameof(transport));
        }
        cancellationToken.ThrowIfCancellationRequested();
        var node = new AccessNode(options, transport, sink);
        node._running = true;
        try
        {
            node.Address = await node._endpoint.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            node._running = false;
            throw;
        }
        sink(node._source, "start", $"access node {options.NodeId} v{options.Version} for {options.LogicalNode} at {node.Address}, capacity {options.Capacity} ({node._endpoint.Kind})");
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
    /// <summary>The transport devices reach it with.</summary>
    public GatewayTransport Transport { get; }
    /// <summary>"embedded" (MQTTnet in the rig's process) or "mosquitto".</summary>
    public string BrokerKind => _endpoint.Kind;

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
    /// <summary>Connections refused because it was not accepting or full (on mosquitto also: not authorised, see docs/cloud.md §5.6).</summary>
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
        await _endpoint.PublishAsync(GatewayTopics.Command(deviceId), CloudJson.Encode(command), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Stops accepting connections; connected devices get the offline instruction batch by batch (<see cref="SendOfflineBatchAsync"/>), late ones at once.
    /// Returns once the broker refuses new connections (at once for an embedded node; a mosquitto node first disables the devices not connected).
    /// </summary>
    public async Task BeginDrainAsync(string reason)
    {
        _accepting = false;
        _drainReason = reason;
        _sink(_source, "drain", $"{NodeId} stops accepting connections ({reason}); {Connections} device(s) connected");
        await UpdateEndpointAcceptingAsync(false).ConfigureAwait(false);
    }

    /// <summary>Accepts connections again and forgets the drain (rollback to this node); the master gateway sees it accepting only once the broker does.</summary>
    public async Task ResumeAsync()
    {
        _drainReason = null;
        _offlineSent.Clear();
        await UpdateEndpointAcceptingAsync(true).ConfigureAwait(false);
        _accepting = true;
        _sink(_source, "resume", $"{NodeId} accepts connections again");
    }

    private async Task UpdateEndpointAcceptingAsync(bool accepting)
    {
        try
        {
            await _endpoint.SetAcceptingAsync(accepting).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _sink(_source, "error", $"{NodeId}: the {_endpoint.Kind} broker did not take '{(accepting ? "accept" : "refuse")} new connections': {ex.Message}");
        }
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
        await _endpoint.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ShutAsync().ConfigureAwait(false);

    private async Task SendOfflineAsync(string deviceId, CancellationToken cancellationToken)
    {
        var reason = _drainReason;
        if (reason is null || !_offlineSent.TryAdd(deviceId, 0)) return;
        await NotifyAsync(o => o.OnDeviceOfflineSentAsync(this, deviceId)).ConfigureAwait(false);
        var instruction = new OfflineInstruction(NodeId, Options.LogicalNode, reason);
        await _endpoint.PublishAsync(GatewayTopics.Offline(deviceId), CloudJson.Encode(instruction), cancellationToken).ConfigureAwait(false);
    }

    private async Task DropAsync(string deviceId)
    {
        Interlocked.Increment(ref _dropped);
        _sink(_source, "fault", $"{NodeId} drops {deviceId}");
        try
        {
            await _endpoint.KickAsync(deviceId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _sink(_source, "error", $"{NodeId}: dropping {deviceId} failed: {ex.Message}");
        }
    }

    // ---- What the endpoint reports; the node decides. ----

    internal void Log(string kind, string detail) => _sink(_source, kind, detail);

    /// <summary>Accepting flag as set by drain/resume (not counting shut).</summary>
    internal bool AcceptingFlag => _accepting;

    /// <summary>
    /// Decides a connection and counts it when admitted. The embedded endpoint asks before it answers the CONNECT; the mosquitto
    /// endpoint asks once mosquitto has let the device in (<paramref name="authenticatedByBroker"/>: the password was checked there)
    /// and ends the connection when the answer is not <see cref="Admission.Admitted"/>.
    /// </summary>
    internal Admission Admit(string deviceId, string? password, bool authenticatedByBroker)
    {
        if (string.IsNullOrEmpty(deviceId) || Options.IsKnownDevice?.Invoke(deviceId) == false)
        {
            _sink(_source, "refused", $"{NodeId} refused unknown device '{deviceId}'");
            return Admission.Unknown;
        }
        if (!authenticatedByBroker && Options.Credentials is { } credentials && credentials.TryGetSecret(deviceId, out var secret)
            && !string.Equals(secret, password, StringComparison.Ordinal))
        {
            _sink(_source, "refused", $"{NodeId} refused {deviceId}: wrong password");
            return Admission.BadPassword;
        }
        if (_fault == AccessNodeFault.RefuseConnections && _accepting)
        {
            Interlocked.Increment(ref _refusedWhileAccepting);
            _sink(_source, "fault", $"{NodeId} refused {deviceId} (injected fault)");
            return Admission.RefusedByFault;
        }
        if (!Accepting)
        {
            Interlocked.Increment(ref _refused);
            _sink(_source, "refused", $"{NodeId} refused {deviceId}: not accepting connections");
            return Admission.NotAccepting;
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
                _sink(_source, "refused", $"{NodeId} refused {deviceId}: full ({Capacity})");
                return Admission.Full;
            }
            int peak;
            while (now > (peak = Volatile.Read(ref _peakConnections)) && Interlocked.CompareExchange(ref _peakConnections, now, peak) != peak)
            {
            }
        }
        return Admission.Admitted;
    }

    /// <summary>A connection the broker refused before the node saw a device id (mosquitto: max_connections, not authorised).</summary>
    internal void OnRefusedByBroker(string detail)
    {
        Interlocked.Increment(ref _refused);
        _sink(_source, "refused", $"{NodeId} refused a connection: {detail}");
    }

    internal Task OnConnectedAsync(string deviceId) => NotifyAsync(o => o.OnDeviceConnectedAsync(this, deviceId));

    /// <summary>The device ACL of docs/cloud.md §5.2 for subscriptions; logs a refusal.</summary>
    internal bool MaySubscribe(string deviceId, string topic)
    {
        if (topic == GatewayTopics.Command(deviceId) || topic == GatewayTopics.Offline(deviceId)) return true;
        _sink(_source, "refused", $"{NodeId} refused subscription of {deviceId} to '{topic}': not in its ACL");
        return false;
    }

    internal async Task OnSubscribedAsync(string deviceId, string topic)
    {
        if (topic != GatewayTopics.Command(deviceId)) return;
        if (_fault == AccessNodeFault.DropConnections)
        {
            await DropAsync(deviceId).ConfigureAwait(false);
            return;
        }
        _sink(_source, "ready", $"{deviceId} ready on {NodeId}");
        await NotifyAsync(o => o.OnDeviceReadyAsync(this, deviceId)).ConfigureAwait(false);
        if (_drainReason is not null) await SendOfflineAsync(deviceId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A device published (uplink traffic); false when the topic is not in its ACL (dropped).</summary>
    internal async Task<bool> OnPublishAsync(string deviceId, string topic, byte[] payload)
    {
        Interlocked.Increment(ref _uplinkMessages);
        if (topic != GatewayTopics.Reply(deviceId))
        {
            _sink(_source, "refused", $"{NodeId} dropped a publish of {deviceId} to '{topic}': not in its ACL");
            return false;
        }
        var reply = CloudJson.TryDecode<CommandReply>(payload, out var error);
        if (reply is null || string.IsNullOrEmpty(reply.CommandId))
        {
            _sink(_source, "garbage", $"{NodeId} ignored an undecodable reply from {deviceId} on '{topic}': {error ?? "no command id"}");
            return true;
        }
        await NotifyAsync(o => o.OnReplyAsync(this, deviceId, reply)).ConfigureAwait(false);
        return true;
    }

    internal async Task OnDisconnectedAsync(string deviceId, bool clean)
    {
        if (_connected.TryRemove(deviceId, out _)) Interlocked.Decrement(ref _connections);
        _offlineSent.TryRemove(deviceId, out _);
        if (!clean && _running) Interlocked.Increment(ref _uncleanDisconnects);
        _sink(_source, "disconnect", string.Create(CultureInfo.InvariantCulture, $"{deviceId} left {NodeId} ({(clean ? "clean" : "not clean")}); {Connections} connected"));
        await NotifyAsync(o => o.OnDeviceGoneAsync(this, deviceId, clean)).ConfigureAwait(false);
    }

    /// <summary>The broker went away on its own (mosquitto exited): the node is down.</summary>
    internal void OnEndpointLost(string why)
    {
        if (!_running) return;
        _running = false;
        _accepting = false;
        _sink(_source, "error", $"{NodeId} lost its broker: {why}");
    }

    /// <summary>Devices registered after the node started (a mosquitto node creates their logins).</summary>
    internal Task AddDevicesAsync(IReadOnlyList<KeyValuePair<string, string>> devices, CancellationToken cancellationToken) =>
        _running ? _endpoint.AddDevicesAsync(devices, cancellationToken) : Task.CompletedTask;

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
