using System.Collections.Concurrent;
using System.Globalization;
using HilRig.Servers;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The gateway management service (docs/cloud.md §5.4): binds logical nodes to physical access
/// nodes and runs rolling upgrades, canary first. Per old node: start a new-version node on a
/// spare server, bind it, let the old one stop accepting and send offline instructions in batches,
/// watch its connections and uplink traffic, and unbind and shut it when both are zero; if the new
/// node misbehaves meanwhile, bind back to the old node and shut the new one.
/// </summary>
public sealed class Gms
{
    private const string Source = "gms";

    private readonly NodeBindings _bindings;
    private readonly SpareServerStarter _startNode;
    private readonly GmsOptions _options;
    private readonly ServerEventSink _sink;
    private readonly ConcurrentDictionary<string, LogicalNodeState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<LogicalNodeUpgrade?>> _watches = new(StringComparer.Ordinal);
    private volatile RolloutState _state = RolloutState.Idle;

    /// <summary>A GMS over <paramref name="bindings"/>, starting new nodes with <paramref name="startNode"/>.</summary>
    public Gms(NodeBindings bindings, SpareServerStarter startNode, GmsOptions options, ServerEventSink sink)
    {
        _bindings = bindings;
        _startNode = startNode;
        _options = options;
        _sink = sink;
        Thresholds = options.Thresholds;
        WatchAfterUpgrade = TimeSpan.FromMilliseconds(options.WatchAfterUpgradeMs);
    }

    /// <summary>When draining nodes get their offline indication and are closed; starts as <see cref="GmsOptions.Thresholds"/>, may be changed between upgrades.</summary>
    public GmsThresholds Thresholds { get; set; }

    /// <summary>Where the rolling upgrade is.</summary>
    public RolloutState State => _state;

    /// <summary>Where a logical node is.</summary>
    public LogicalNodeState StateOf(string logicalNode) => _states.GetValueOrDefault(logicalNode, LogicalNodeState.Serving);

    /// <summary>Raised on every logical node state change.</summary>
    public event Action<string, LogicalNodeState>? LogicalNodeStateChanged;

    /// <summary>Raised on every rollout state change.</summary>
    public event Action<RolloutState>? StateChanged;

    /// <summary>Upgrades every logical node to <paramref name="version"/>: the canary first, its health checked, then the others.</summary>
    public async Task<RolloutResult> RollingUpgradeAsync(string version, CancellationToken cancellationToken)
    {
        var logicalNodes = _bindings.LogicalNodes;
        var canary = _options.CanaryLogicalNode ?? logicalNodes.FirstOrDefault() ?? throw new InvalidOperationException("no logical node to upgrade");
        if (!logicalNodes.Contains(canary)) throw new ArgumentException($"canary '{canary}' is not a logical node");
        SetState(RolloutState.Canary);
        _sink(Source, "rollout", $"rolling upgrade to {version}: canary {canary}, then {logicalNodes.Count - 1} other logical node(s)");
        var canaryResult = await UpgradeLogicalNodeAsync(canary, version, cancellationToken).ConfigureAwait(false);
        if (canaryResult.State != LogicalNodeState.Upgraded)
        {
            return Halt(canary, [canaryResult], $"canary {canary} rolled back: {canaryResult.Reason}");
        }
        SetState(RolloutState.CanaryCheck);
        await Task.Delay(_options.CanaryObservationMs, cancellationToken).ConfigureAwait(false);
        foreach (var node in _bindings.BoundTo(canary))
        {
            var health = await _options.HealthProbe(node, cancellationToken).ConfigureAwait(false);
            if (!health.Healthy) return Halt(canary, [canaryResult], $"canary {canary} failed its check: {health.Detail}");
        }
        SetState(RolloutState.Rolling);
        using var parallel = new SemaphoreSlim(Math.Max(1, Math.Min(_options.MaxParallelLogicalNodes, logicalNodes.Count)));
        var others = logicalNodes.Where(l => l != canary).Select(async logical =>
        {
            await parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await UpgradeLogicalNodeAsync(logical, version, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                parallel.Release();
            }
        });
        var results = new List<LogicalNodeUpgrade> { canaryResult };
        results.AddRange(await Task.WhenAll(others).ConfigureAwait(false));
        var allUpgraded = results.All(r => r.State == LogicalNodeState.Upgraded);
        SetState(allUpgraded ? RolloutState.Completed : RolloutState.PartlyRolledBack);
        _sink(Source, "rollout", $"rolling upgrade to {version}: {_state}");
        return new RolloutResult(_state, canary, results);
    }

    /// <summary>Replaces every node of <paramref name="logicalNode"/> not at <paramref name="version"/>, one at a time.</summary>
    public async Task<LogicalNodeUpgrade> UpgradeLogicalNodeAsync(string logicalNode, string version, CancellationToken cancellationToken)
    {
        var retired = new List<string>();
        var started = new List<string>();
        (string Version, int Capacity)? previous = null;
        foreach (var old in _bindings.BoundTo(logicalNode).Where(n => n.Version != version).ToList())
        {
            previous ??= (old.Version, old.Capacity);
            SetState(logicalNode, LogicalNodeState.StartingNode);
            var fresh = await _startNode(logicalNode, version, old.Capacity, cancellationToken).ConfigureAwait(false);
            started.Add(fresh.NodeId);
            var failure = await ReplaceAsync(logicalNode, old, fresh, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                SetState(logicalNode, LogicalNodeState.RolledBack);
                return new LogicalNodeUpgrade(logicalNode, LogicalNodeState.RolledBack, retired, started, failure);
            }
            retired.Add(old.NodeId);
        }
        SetState(logicalNode, LogicalNodeState.Upgraded);
        if (WatchAfterUpgrade > TimeSpan.Zero && previous is { } before)
        {
            var watch = Task.Run(() => WatchAfterUpgradeAsync(logicalNode, before.Version, before.Capacity, started, cancellationToken), CancellationToken.None);
            _watches[logicalNode] = watch;
        }
        return new LogicalNodeUpgrade(logicalNode, LogicalNodeState.Upgraded, retired, started);
    }

    /// <summary>
    /// How long the GMS keeps probing a logical node's new nodes after its upgrade finished (the old nodes shut); one that
    /// misbehaves then is rolled back to the previous version on a fresh node (docs/cloud.md §5.4, "Rollback after
    /// completion"). Starts as <see cref="GmsOptions.WatchAfterUpgradeMs"/>; zero: no watch.
    /// </summary>
    public TimeSpan WatchAfterUpgrade { get; set; }

    /// <summary>
    /// The end of the watch after <paramref name="logicalNode"/>'s last upgrade: the rollback's outcome, or null when the new
    /// nodes stayed healthy for the whole watch (or none ran).
    /// </summary>
    public Task<LogicalNodeUpgrade?> WhenWatchEndsAsync(string logicalNode) => _watches.TryGetValue(logicalNode, out var watch) ? watch : Task.FromResult<LogicalNodeUpgrade?>(null);

    private async Task<LogicalNodeUpgrade?> WatchAfterUpgradeAsync(string logicalNode, string previousVersion, int capacity, IReadOnlyList<string> newNodes, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)WatchAfterUpgrade.TotalMilliseconds;
        _sink(Source, "watch", string.Create(CultureInfo.InvariantCulture, $"{logicalNode}: watching {string.Join(", ", newNodes)} for {WatchAfterUpgrade.TotalMilliseconds:0} ms after the upgrade"));
        try
        {
            while (Environment.TickCount64 < deadline)
            {
                foreach (var node in _bindings.BoundTo(logicalNode).Where(n => newNodes.Contains(n.NodeId)))
                {
                    var health = await _options.HealthProbe(node, cancellationToken).ConfigureAwait(false);
                    if (health.Healthy) continue;
                    _sink(Source, "rollback", $"{logicalNode}: {node.NodeId} misbehaves after the upgrade finished ({health.Detail}); its old node is shut, so a node of version {previousVersion} starts on a spare server");
                    var restored = await _startNode(logicalNode, previousVersion, capacity, cancellationToken).ConfigureAwait(false);
                    _bindings.Bind(logicalNode, restored);
                    await RollBackAsync(logicalNode, restored, node, health.Detail, cancellationToken).ConfigureAwait(false);
                    SetState(logicalNode, LogicalNodeState.RolledBack);
                    return new LogicalNodeUpgrade(logicalNode, LogicalNodeState.RolledBack, [node.NodeId], [restored.NodeId], health.Detail);
                }
                await Task.Delay(_options.MonitorIntervalMs, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        _sink(Source, "watch", $"{logicalNode}: the new node(s) stayed healthy for the whole watch");
        return null;
    }

    /// <summary>Moves the devices of <paramref name="old"/> to <paramref name="fresh"/>; null when done, else why it rolled back.</summary>
    private async Task<string?> ReplaceAsync(string logicalNode, AccessNode old, AccessNode fresh, CancellationToken cancellationToken)
    {
        _bindings.Bind(logicalNode, fresh);
        await old.BeginDrainAsync("upgrade").ConfigureAwait(false);
        _bindings.NotifyChanged();
        SetState(logicalNode, LogicalNodeState.Draining);
        _sink(Source, "bind", $"{logicalNode}: {fresh.NodeId} v{fresh.Version} bound; {old.NodeId} v{old.Version} draining ({old.Connections} device(s))");
        var started = Environment.TickCount64;
        var lastUplink = old.UplinkMessages;
        var offlineOpen = false;
        var heldBack = false;
        while (true)
        {
            var limits = Thresholds;
            var sent = 0;
            if (!offlineOpen && old.Connections < limits.OfflineBelowConnections)
            {
                offlineOpen = true;
                if (limits.OfflineBelowConnections != int.MaxValue)
                {
                    _sink(Source, "offline", string.Create(CultureInfo.InvariantCulture,
                        $"{logicalNode}: {old.NodeId} has {old.Connections} connection(s), fewer than {limits.OfflineBelowConnections}: offline indications go out"));
                }
            }
            if (offlineOpen) sent = await old.SendOfflineBatchAsync(cancellationToken).ConfigureAwait(false);
            else if (!heldBack)
            {
                heldBack = true;
                _sink(Source, "hold", string.Create(CultureInfo.InvariantCulture,
                    $"{logicalNode}: {old.NodeId} has {old.Connections} connection(s), not fewer than {limits.OfflineBelowConnections}: no offline indication yet"));
            }
            var health = await _options.HealthProbe(fresh, cancellationToken).ConfigureAwait(false);
            if (!health.Healthy)
            {
                await RollBackAsync(logicalNode, old, fresh, health.Detail, cancellationToken).ConfigureAwait(false);
                return health.Detail;
            }
            var uplink = old.UplinkMessages;
            var uplinkSinceLastLook = uplink - lastUplink;
            lastUplink = uplink;
            var connections = old.Connections;
            if (offlineOpen && sent == 0 && connections < limits.CloseBelowConnections && uplinkSinceLastLook < limits.CloseBelowUplinkMessages)
            {
                if (!_bindings.TryUnbind(logicalNode, old, out var failure))
                {
                    // The design closes a node only after its unbind succeeded: a failed unbind keeps it running; the next look tries again.
                    _sink(Source, "unbind-failed", $"{logicalNode}: unbinding {old.NodeId} failed ({failure}); {old.NodeId} keeps running");
                }
                else
                {
                    await old.ShutAsync().ConfigureAwait(false);
                    _sink(Source, "unbind", string.Create(CultureInfo.InvariantCulture,
                        $"{logicalNode}: {old.NodeId} had {connections} connection(s) (fewer than {limits.CloseBelowConnections}) and {uplinkSinceLastLook} uplink message(s) since the last look (fewer than {limits.CloseBelowUplinkMessages}); unbound and shut"));
                    return null;
                }
            }
            if (Environment.TickCount64 - started > _options.DrainTimeoutMs)
            {
                var why = $"{old.NodeId} still had {old.Connections} connection(s) after {_options.DrainTimeoutMs} ms";
                await RollBackAsync(logicalNode, old, fresh, why, cancellationToken).ConfigureAwait(false);
                return why;
            }
            await Task.Delay(_options.MonitorIntervalMs, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RollBackAsync(string logicalNode, AccessNode old, AccessNode fresh, string why, CancellationToken cancellationToken)
    {
        _sink(Source, "rollback", $"{logicalNode}: {fresh.NodeId} misbehaves ({why}); binding back to {old.NodeId}");
        _bindings.Unbind(logicalNode, fresh);
        await old.ResumeAsync().ConfigureAwait(false);
        await fresh.BeginDrainAsync("rollback").ConfigureAwait(false);
        _bindings.NotifyChanged();
        var started = Environment.TickCount64;
        while (fresh.IsRunning && Environment.TickCount64 - started < _options.DrainTimeoutMs)
        {
            var sent = await fresh.SendOfflineBatchAsync(cancellationToken).ConfigureAwait(false);
            if (sent == 0 && fresh.Connections == 0) break;
            await Task.Delay(_options.MonitorIntervalMs, cancellationToken).ConfigureAwait(false);
        }
        await fresh.ShutAsync().ConfigureAwait(false);
        _sink(Source, "unbind", $"{logicalNode}: {fresh.NodeId} unbound and shut after rollback");
    }

    private RolloutResult Halt(string canary, IReadOnlyList<LogicalNodeUpgrade> results, string reason)
    {
        SetState(RolloutState.Halted);
        _sink(Source, "rollout", $"halted: {reason}; the other logical nodes were left alone");
        return new RolloutResult(RolloutState.Halted, canary, results, reason);
    }

    private void SetState(RolloutState state)
    {
        _state = state;
        StateChanged?.Invoke(state);
    }

    private void SetState(string logicalNode, LogicalNodeState state)
    {
        _states[logicalNode] = state;
        LogicalNodeStateChanged?.Invoke(logicalNode, state);
    }
}
