namespace HilRig.Protocol.Cloud;

/// <summary>
/// MQTT topics between a device and the access node it is connected to (docs/cloud.md §5). The
/// node forwards commands from the vendor backend down and replies up; it sends the offline
/// instruction itself when its gateway management service drains it.
/// </summary>
public static class GatewayTopics
{
    /// <summary>Access node → device: <see cref="ControlCommand"/> from the vendor backend.</summary>
    public static string Command(string deviceId) => $"gw/{deviceId}/command";

    /// <summary>Device → access node: <see cref="CommandReply"/> (the node's uplink traffic).</summary>
    public static string Reply(string deviceId) => $"gw/{deviceId}/reply";

    /// <summary>Access node → device: <see cref="OfflineInstruction"/>, move to another node.</summary>
    public static string Offline(string deviceId) => $"gw/{deviceId}/offline";

    /// <summary>The device id a gateway topic names, or null when the topic is not "gw/{device}/...".</summary>
    public static string? DeviceOf(string topic)
    {
        if (!topic.StartsWith("gw/", StringComparison.Ordinal)) return null;
        var end = topic.IndexOf('/', 3);
        return end > 3 ? topic[3..end] : null;
    }
}

/// <summary>Access node → device: stop using this node (docs/cloud.md §5.2).</summary>
/// <param name="NodeId">The physical node that is going away.</param>
/// <param name="LogicalNode">The logical node the device should ask the master gateway about.</param>
/// <param name="Reason">"upgrade" (rolling upgrade), "rollback" (the node is being unbound after a failed upgrade), "shutdown".</param>
public sealed record OfflineInstruction(string NodeId, string LogicalNode, string Reason);

/// <summary>Device → master gateway: which access node should I use (docs/cloud.md §5.3)?</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="LogicalNode">The logical gateway node the device belongs to.</param>
/// <param name="DeviceLevel">Device level (0 = ordinary; higher is served first).</param>
/// <param name="AddressPriority">Address priority (0 = ordinary; higher is served first).</param>
public sealed record AddressRequest(string DeviceId, string LogicalNode, int DeviceLevel = 0, int AddressPriority = 0);

/// <summary>Master gateway → device: the answer to an <see cref="AddressRequest"/> (docs/cloud.md §5.3).</summary>
/// <param name="Status">"assigned", "retry" (nothing has room; ask again after <paramref name="RetryAfterMs"/>), "unknown-logical-node", "unknown-device".</param>
/// <param name="NodeId">Assigned physical node.</param>
/// <param name="Address">Its address: "mqtt://127.0.0.1:port" or "mem://node-id".</param>
/// <param name="RetryAfterMs">When to ask again, for "retry".</param>
public sealed record AddressAnswer(string Status, string? NodeId = null, string? Address = null, int? RetryAfterMs = null)
{
    /// <summary>True when a node was assigned.</summary>
    public bool IsAssigned => Status == "assigned";
}

/// <summary>
/// Proxy device → master gateway: one request for many devices of a draining node (docs/cloud.md §5.3,
/// "Batch requests through a proxy device").
/// </summary>
/// <param name="ProxyDeviceId">The device acting as proxy (one of the batch or not).</param>
/// <param name="LogicalNode">The logical node every device of the batch belongs to.</param>
/// <param name="DeviceIds">The devices the proxy asks for, each once, in the order the proxy collected them.</param>
/// <param name="Priorities">The device level and address priority of devices of the batch that asked with any (others count 0):
/// when the batch does not fit, the master shares it out in its queue's order (docs/cloud.md §5.3, rule 4).</param>
public sealed record BatchAddressRequest(string ProxyDeviceId, string LogicalNode, IReadOnlyList<string> DeviceIds, IReadOnlyList<DevicePriority>? Priorities = null);

/// <summary>One device's device level and address priority in a <see cref="BatchAddressRequest"/>, as it gave them to the proxy.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="DeviceLevel">Its device level.</param>
/// <param name="AddressPriority">Its address priority.</param>
public sealed record DevicePriority(string DeviceId, int DeviceLevel, int AddressPriority);

/// <summary>Master gateway → proxy device: one target per device of a <see cref="BatchAddressRequest"/>, in the request's order.</summary>
/// <param name="Status">"answered" (every device has an entry), "unknown-device" (the proxy), "unknown-logical-node", "bad-request".</param>
/// <param name="Devices">One entry per requested device.</param>
public sealed record BatchAddressAnswer(string Status, IReadOnlyList<DeviceAddressAnswer> Devices);

/// <summary>One device's entry in a <see cref="BatchAddressAnswer"/>: the same fields as an <see cref="AddressAnswer"/>, with the device id.</summary>
/// <param name="DeviceId">The device the entry is for.</param>
/// <param name="Status">"assigned", "retry", "unknown-device".</param>
/// <param name="NodeId">Assigned physical node.</param>
/// <param name="Address">Its address.</param>
/// <param name="RetryAfterMs">When to ask again, for "retry".</param>
public sealed record DeviceAddressAnswer(string DeviceId, string Status, string? NodeId = null, string? Address = null, int? RetryAfterMs = null)
{
    /// <summary>The entry as the device's own answer.</summary>
    public AddressAnswer ToAnswer() => new(Status, NodeId, Address, RetryAfterMs);
}
