using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Device;

/// <summary>Who a gateway device is and how it reconnects.</summary>
/// <param name="DeviceId">Device id: MQTT client id and user name.</param>
/// <param name="LogicalNode">The logical gateway node it belongs to.</param>
public sealed record GatewayDeviceOptions(string DeviceId, string LogicalNode)
{
    /// <summary>Device level sent to the master gateway (higher is served first).</summary>
    public int DeviceLevel { get; init; }

    /// <summary>Address priority sent to the master gateway (higher is served first).</summary>
    public int AddressPriority { get; init; }

    /// <summary>First wait after a failed connect; doubles up to <see cref="ReconnectBackoffMaxMs"/> (docs/cloud.md §4.2 uses 0.5 s to 8 s).</summary>
    public int ReconnectBackoffMs { get; init; } = 500;

    /// <summary>Longest wait between connect attempts.</summary>
    public int ReconnectBackoffMaxMs { get; init; } = 8_000;

    /// <summary>MQTT keep-alive; long by default so ten thousand idle devices do not flood a node with pings.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An old device firmware that does not know the offline instruction (docs/cloud.md §5.4, "Thresholds"): it stays on a
    /// draining node until the GMS closes it, then reconnects through the master gateway like any device that lost its channel.
    /// </summary>
    public bool IgnoresOffline { get; init; }

    /// <summary>MQTT password, when the nodes check one.</summary>
    public string? Password { get; init; }

    /// <summary>The request this device sends to the master gateway.</summary>
    public AddressRequest AddressRequest() => new(DeviceId, LogicalNode, DeviceLevel, AddressPriority);
}
