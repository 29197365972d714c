namespace HilRig.Gateway.Cluster.Endpoints;

/// <summary>
/// The broker side of an access node: where devices connect and how the node reaches them. The node's own
/// rules (counting, capacity, accepting, ACL decisions, observers) live in <see cref="AccessNode"/>; an endpoint
/// tells the node what happened (through its internal On* methods) and carries out what the node decides.
/// Two kinds: <see cref="EmbeddedEndpoint"/> (an MQTTnet server in the rig's process, either transport) and
/// <see cref="MosquittoEndpoint"/> (a mosquitto process the rig starts, docs/cloud.md §5.6).
/// </summary>
internal abstract class AccessNodeEndpoint
{
    /// <summary>"embedded" or "mosquitto", for log lines.</summary>
    public abstract string Kind { get; }

    /// <summary>Starts listening; returns the address devices are given.</summary>
    public abstract Task<string> StartAsync(CancellationToken cancellationToken);

    /// <summary>Publishes to a device topic (QoS 1) as the node.</summary>
    public abstract Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Ends a device's connection from the node's side; the device may come back.</summary>
    public abstract Task KickAsync(string deviceId);

    /// <summary>The node starts or stops accepting new connections (the embedded endpoint asks the node on every CONNECT and needs nothing).</summary>
    public virtual Task SetAcceptingAsync(bool accepting) => Task.CompletedTask;

    /// <summary>Devices registered after the node started (the embedded endpoint reads the registry on every CONNECT and needs nothing).</summary>
    public virtual Task AddDevicesAsync(IReadOnlyList<KeyValuePair<string, string>> devices, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops listening; connections end. Devices still connected are reported gone.</summary>
    public abstract Task StopAsync();
}
