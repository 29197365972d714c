using System.Collections.Concurrent;
using System.Globalization;
using HilRig.Gateway.Device;
using HilRig.Gateway.Transport;
using HilRig.Servers;

namespace HilRig.Gateway.Cluster;

/// <summary>What a gateway cluster starts with.</summary>
public sealed record GatewayClusterOptions
{
    /// <summary>Logical node names.</summary>
    public IReadOnlyList<string> LogicalNodes { get; init; } = ["gw-1"];

    /// <summary>Physical nodes bound to each logical node at start.</summary>
    public int NodesPerLogicalNode { get; init; } = 1;

    /// <summary>Capacity of every access node.</summary>
    public int Capacity { get; init; } = 100;

    /// <summary>Version the nodes start with.</summary>
    public string Version { get; init; } = "1.0.0";

    /// <summary>Offline instructions per batch while a node drains.</summary>
    public int OfflineBatchSize { get; init; } = 500;

    /// <summary>Devices allowed to connect and ask; null: any.</summary>
    public Func<string, bool>? IsKnownDevice { get; init; }

    /// <summary>Master gateway ordering and waiting.</summary>
    public MasterGatewayOptions Master { get; init; } = new();

    /// <summary>Rolling upgrade behaviour.</summary>
    public GmsOptions Gms { get; init; } = new();

    /// <summary>Runs every access node (those the GMS starts too) on a mosquitto process of its own (docs/cloud.md §5.6); null: embedded MQTTnet servers.</summary>
    public MosquittoNodeOptions? Mosquitto { get; init; }
}

/// <summary>
/// The emulated gateway cluster of behaviour 3 in one object: access nodes, the binding table,
/// the master gateway, the GMS and the vendor backend's command dispatcher, on one transport.
/// </summary>
public sealed class GatewayCluster : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _nodeNumbers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AccessNode> _nodes = new();
    private readonly ServerEventSink _sink;
    // Node starts and device registrations take turns, so a node starting never misses a device registered meanwhile.
    private readonly SemaphoreSlim _registration = new(1, 1);

    private GatewayCluster(GatewayClusterOptions options, GatewayTransport transport, ServerEventSink sink)
    {
        Options = options;
        Transport = transport;
        _sink = sink;
        Bindings = new NodeBindings();
        Dispatcher = new CommandDispatcher(sink);
        Master = new MasterGateway(Bindings, options.Master, sink) { PendingCommands = Dispatcher, IsKnownDevice = options.IsKnownDevice };
        Gms = new Gms(Bindings, StartNodeAsync, options.Gms, sink);
    }

    /// <summary>Starts the cluster: every logical node with its first physical nodes bound.</summary>
    public static async Task<GatewayCluster> StartAsync(GatewayClusterOptions options, GatewayTransport transport, ServerEventSink sink, CancellationToken cancellationToken)
    {
        if (options.Mosquitto is not null && transport is not TcpLoopbackTransport)
        {
            throw new ArgumentException($"access nodes on mosquitto are reached over loopback TCP; the {transport.Name} transport cannot reach them", nameof(transport));
        }
        var cluster = new GatewayCluster(options, transport, sink);
        try
        {
            await cluster.StartLogicalNodesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    private async Task StartLogicalNodesAsync(CancellationToken cancellationToken)
    {
        var options = Options;
        var cluster = this;
        foreach (var logical in options.LogicalNodes)
        {
            cluster.Bindings.AddLogicalNode(logical);
            for (var i = 0; i < options.NodesPerLogicalNode; i++)
            {
                var node = await cluster.StartNodeAsync(logical, options.Version, options.Capacity, cancellationToken).ConfigureAwait(false);
                cluster.Bindings.Bind(logical, node);
            }
        }
    }

    /// <summary>How it was started.</summary>
    public GatewayClusterOptions Options { get; }
    /// <summary>The transport nodes listen on.</summary>
    public GatewayTransport Transport { get; }
    /// <summary>Logical → physical bindings.</summary>
    public NodeBindings Bindings { get; }
    /// <summary>The device master gateway (in-process; wrap with <see cref="MasterGatewayHttpServer"/> for HTTP).</summary>
    public MasterGateway Master { get; }
    /// <summary>The gateway management service.</summary>
    public Gms Gms { get; }
    /// <summary>The vendor backend's command dispatcher.</summary>
    public CommandDispatcher Dispatcher { get; }
    /// <summary>The registered devices and their passwords (docs/cloud.md §5.1).</summary>
    public GatewayDeviceCredentials Credentials { get; } = new();
    /// <summary>Every node ever started, shut ones included.</summary>
    public IReadOnlyList<AccessNode> AllNodes => [.. _nodes];

    /// <summary>Finds a node (running or shut) by id.</summary>
    public AccessNode? FindNode(string nodeId) => _nodes.FirstOrDefault(n => n.NodeId == nodeId);

    /// <summary>Starts a node on a "spare server": id "{logical}.{n}", observed by the master gateway and the dispatcher, not bound.</summary>
    public async Task<AccessNode> StartNodeAsync(string logicalNode, string version, int capacity, CancellationToken cancellationToken)
    {
        var number = _nodeNumbers.AddOrUpdate(logicalNode, 1, static (_, n) => n + 1);
        var options = new AccessNodeOptions(string.Create(CultureInfo.InvariantCulture, $"{logicalNode}.{number}"), logicalNode, version, capacity)
        {
            IsKnownDevice = Options.IsKnownDevice,
            OfflineBatchSize = Options.OfflineBatchSize,
            Credentials = Credentials,
            Mosquitto = Options.Mosquitto,
        };
        await _registration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var node = await AccessNode.StartAsync(options, Transport, _sink, cancellationToken).ConfigureAwait(false);
            node.Observe(Master);
            node.Observe(Dispatcher);
            _nodes.Enqueue(node);
            return node;
        }
        finally
        {
            _registration.Release();
        }
    }

    /// <summary>
    /// Registers devices (each gets a generated password, <see cref="CreateDevice"/> hands it out) and returns once every running
    /// node lets them log in: at once for embedded nodes, once mosquitto nodes have created their logins.
    /// </summary>
    /// <exception cref="ArgumentException">An id cannot name a device (<see cref="GatewayDeviceCredentials.IsValidId"/>).</exception>
    public async Task RegisterDevicesAsync(IEnumerable<string> deviceIds, CancellationToken cancellationToken)
    {
        var ids = deviceIds.ToList();
        var invalid = ids.FirstOrDefault(id => !GatewayDeviceCredentials.IsValidId(id));
        if (invalid is not null) Credentials.Register(invalid); // throws with the rule broken
        await _registration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fresh = ids.Where(id => !Credentials.Contains(id)).Distinct(StringComparer.Ordinal)
                .Select(id => new KeyValuePair<string, string>(id, Credentials.Register(id))).ToList();
            if (fresh.Count == 0) return;
            foreach (var node in _nodes.Where(n => n.IsRunning)) await node.AddDevicesAsync(fresh, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _registration.Release();
        }
    }

    /// <summary>A device of this cluster that asks the in-process master gateway.</summary>
    /// <remarks>A registered device (<see cref="RegisterDevicesAsync"/>) without a password in <paramref name="options"/> is given its own.</remarks>
    public GatewayDevice CreateDevice(GatewayDeviceOptions options, CommandExecutor? executor = null, CommandLedger? ledger = null, ServerEventSink? sink = null)
    {
        if (options.Password is null && Credentials.TryGetSecret(options.DeviceId, out var secret)) options = options with { Password = secret };
        return new(options, Master, Transport, executor, (sink ?? _sink).Invoke, ledger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.ShutAsync().ConfigureAwait(false);
        Master.Dispose();
    }
}
