namespace HilRig.Servers;

/// <summary>
/// Where the emulated servers say what they saw or did (an MQTT message, an HTTP request, a fault),
/// one line each: the bench puts these on its timeline, tests collect them.
/// </summary>
/// <param name="source">Who: "target", "vendor:acme", "gateway:node-1a", "master-gateway", "gms".</param>
/// <param name="kind">What kind: "mqtt", "http", "connect", "disconnect", "fault", "instruction", ...</param>
/// <param name="detail">One human-readable line.</param>
public delegate void ServerEventSink(string source, string kind, string detail);

/// <summary>Sinks that need no bench.</summary>
public static class ServerEventSinks
{
    /// <summary>Drops every event.</summary>
    public static ServerEventSink None { get; } = static (_, _, _) => { };
}
