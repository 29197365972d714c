namespace HilRig.Gateway.Cluster;

/// <summary>What an access node is: its id, the firmware version it runs and how many devices it takes.</summary>
/// <param name="NodeId">Physical node id, e.g. "gw-1.3".</param>
/// <param name="LogicalNode">The logical node it serves, e.g. "gw-1".</param>
/// <param name="Version">Gateway software version, "major.minor.patch".</param>
/// <param name="Capacity">Most device connections it takes at once.</param>
public sealed record AccessNodeOptions(string NodeId, string LogicalNode, string Version, int Capacity)
{
    /// <summary>Which device ids may connect; null accepts any non-empty client id.</summary>
    public Func<string, bool>? IsKnownDevice { get; init; }

    /// <summary>Offline instructions sent per batch while draining (docs/cloud.md §5.2).</summary>
    public int OfflineBatchSize { get; init; } = 500;

    /// <summary>Registered devices and their passwords (docs/cloud.md §5.1); null: no password is checked (embedded nodes only).</summary>
    public GatewayDeviceCredentials? Credentials { get; init; }

    /// <summary>Runs the node's MQTT endpoint on a mosquitto process the rig starts (docs/cloud.md §5.6); null: embedded MQTTnet server.</summary>
    public MosquittoNodeOptions? Mosquitto { get; init; }
}

/// <summary>A fault injected into an access node to make it misbehave (tests, scenarios).</summary>
public enum AccessNodeFault
{
    /// <summary>Behaves.</summary>
    None,
    /// <summary>Refuses every new connection (CONNACK "server unavailable") while it says it accepts.</summary>
    RefuseConnections,
    /// <summary>Drops every device connection as soon as the device is ready, and those it has now.</summary>
    DropConnections,
}
