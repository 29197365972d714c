namespace HilRig.Gateway.Device;

/// <summary>
/// Where a gateway device says what it did (asked for an address, connected, ran a command), one line each; the same
/// shape as HilRig.Servers' ServerEventSink, so the cluster side passes its sink's <c>Invoke</c>.
/// </summary>
/// <param name="source">Who: "device:dev-0001", "proxy:dev-0001".</param>
/// <param name="kind">What kind: "connect", "close", "batch", "hand-out", "error", ...</param>
/// <param name="detail">One human-readable line.</param>
public delegate void DeviceEventSink(string source, string kind, string detail);

/// <summary>Sinks that need no bench.</summary>
public static class DeviceEventSinks
{
    /// <summary>Drops every event.</summary>
    public static DeviceEventSink None { get; } = static (_, _, _) => { };
}
