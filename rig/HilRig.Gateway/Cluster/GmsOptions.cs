namespace HilRig.Gateway.Cluster;

/// <summary>A health probe's verdict on an access node.</summary>
/// <param name="Healthy">False: the node misbehaves and its binding is rolled back.</param>
/// <param name="Detail">Why, in one line.</param>
public sealed record NodeHealth(bool Healthy, string Detail)
{
    /// <summary>A healthy node.</summary>
    public static NodeHealth Ok { get; } = new(true, "ok");
}

/// <summary>Checks a new node during and after its upgrade (injectable, so tests and scenarios can make a node "sick").</summary>
public delegate Task<NodeHealth> NodeHealthProbe(AccessNode node, CancellationToken cancellationToken);

/// <summary>The GMS's built-in idea of a misbehaving node (docs/cloud.md §5.4).</summary>
public static class NodeHealthProbes
{
    /// <summary>Unhealthy when the node is not running, refused a connection while it claimed to accept, or dropped a device.</summary>
    public static NodeHealthProbe Default { get; } = static (node, _) => Task.FromResult(
        !node.IsRunning ? new NodeHealth(false, $"{node.NodeId} is not running")
        : node.RefusedWhileAccepting > 0 ? new NodeHealth(false, $"{node.NodeId} refused {node.RefusedWhileAccepting} connection(s) while accepting")
        : node.Dropped > 0 ? new NodeHealth(false, $"{node.NodeId} dropped {node.Dropped} connection(s)")
        : NodeHealth.Ok);
}

/// <summary>How the gateway management service runs a rolling upgrade.</summary>
public sealed record GmsOptions
{
    /// <summary>How often it looks at the draining node and probes the new one; one batch of offline instructions goes out per look.</summary>
    public int MonitorIntervalMs { get; init; } = 100;

    /// <summary>A drain that has not finished in this time is rolled back.</summary>
    public int DrainTimeoutMs { get; init; } = 120_000;

    /// <summary>The health probe of new nodes.</summary>
    public NodeHealthProbe HealthProbe { get; init; } = NodeHealthProbes.Default;

    /// <summary>The canary; null takes the first logical node.</summary>
    public string? CanaryLogicalNode { get; init; }

    /// <summary>How long the upgraded canary serves before its health decides whether the others follow.</summary>
    public int CanaryObservationMs { get; init; } = 300;

    /// <summary>Logical nodes upgraded at once after the canary.</summary>
    public int MaxParallelLogicalNodes { get; init; } = int.MaxValue;

    /// <summary>How long the new nodes are still probed after a logical node's upgrade finished; one that misbehaves then is rolled back (0: no watch).</summary>
    public int WatchAfterUpgradeMs { get; init; }

    /// <summary>When a draining node gets its offline indication and when it is closed (docs/cloud.md §5.4, "Thresholds").</summary>
    public GmsThresholds Thresholds { get; init; } = new();
}

/// <summary>
/// The design's GMS thresholds (docs/cloud.md §5.4): the offline indication goes to a draining node's devices once its
/// connections fall below <see cref="OfflineBelowConnections"/>; the node is closed once its connections are below
/// <see cref="CloseBelowConnections"/>, its uplink traffic in the last look below <see cref="CloseBelowUplinkMessages"/>,
/// and its unbind succeeded. The defaults are the strictest: offline at once, close at 0 connections and no uplink.
/// </summary>
public sealed record GmsThresholds
{
    /// <summary>The offline indication goes out once the draining node has fewer connections than this (int.MaxValue: at once).</summary>
    public int OfflineBelowConnections { get; init; } = int.MaxValue;

    /// <summary>The node may close once it has fewer connections than this (1: none left); devices still on it lose their channel and reconnect.</summary>
    public int CloseBelowConnections { get; init; } = 1;

    /// <summary>The node may close once fewer uplink messages than this came in since the previous look (one <see cref="GmsOptions.MonitorIntervalMs"/>).</summary>
    public int CloseBelowUplinkMessages { get; init; } = 1;
}

/// <summary>Where a logical node is in a rolling upgrade.</summary>
public enum LogicalNodeState
{
    /// <summary>Not being upgraded.</summary>
    Serving,
    /// <summary>A new-version node is starting on a spare server.</summary>
    StartingNode,
    /// <summary>The new node is bound; the old one accepts no connections, sends offline instructions and is watched until idle.</summary>
    Draining,
    /// <summary>Every old node was replaced, unbound and shut.</summary>
    Upgraded,
    /// <summary>A new node misbehaved: the binding went back to the old node and the new one was shut.</summary>
    RolledBack,
}

/// <summary>Where a whole rolling upgrade is.</summary>
public enum RolloutState
{
    /// <summary>None started.</summary>
    Idle,
    /// <summary>Upgrading the canary logical node.</summary>
    Canary,
    /// <summary>Watching the upgraded canary before going on.</summary>
    CanaryCheck,
    /// <summary>Upgrading the other logical nodes.</summary>
    Rolling,
    /// <summary>Every logical node upgraded.</summary>
    Completed,
    /// <summary>The canary passed but some other logical node rolled back.</summary>
    PartlyRolledBack,
    /// <summary>The canary rolled back or failed its check: the others were left alone.</summary>
    Halted,
}

/// <summary>The outcome for one logical node.</summary>
public sealed record LogicalNodeUpgrade(string LogicalNode, LogicalNodeState State, IReadOnlyList<string> RetiredNodes, IReadOnlyList<string> NewNodes, string? Reason = null);

/// <summary>The outcome of a rolling upgrade.</summary>
public sealed record RolloutResult(RolloutState State, string Canary, IReadOnlyList<LogicalNodeUpgrade> LogicalNodes, string? Reason = null);

/// <summary>Starts a node of <paramref name="version"/> for <paramref name="logicalNode"/> on a spare server (the cluster does).</summary>
public delegate Task<AccessNode> SpareServerStarter(string logicalNode, string version, int capacity, CancellationToken cancellationToken);
