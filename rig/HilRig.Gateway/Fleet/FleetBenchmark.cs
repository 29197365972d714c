using System.Diagnostics;
using System.Globalization;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Transport;
using HilRig.Servers;

namespace HilRig.Gateway.Fleet;

/// <summary>What the fleet benchmark runs.</summary>
public sealed record FleetOptions
{
    /// <summary>Virtual devices.</summary>
    public int Devices { get; init; } = 10_000;
    /// <summary>Logical gateway nodes; devices are spread round-robin.</summary>
    public int LogicalNodes { get; init; } = 5;
    /// <summary>Capacity per access node; null: 110 % of half a logical node's devices (two nodes per logical node).</summary>
    public int? Capacity { get; init; }
    /// <summary>Decides device levels, address priorities and which devices get commands.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Commands the backend sends per second while the upgrade runs.</summary>
    public int CommandsPerSecond { get; init; } = 2_000;
    /// <summary>Transport; null: in-memory (ten thousand devices over TCP do not fit a 20000-fd limit).</summary>
    public GatewayTransport? Transport { get; init; }
    /// <summary>How long to wait for the last replies after the upgrade.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Devices connecting at once at start.</summary>
    public int ConnectConcurrency { get; init; } = 200;
    /// <summary>Rolling upgrade behaviour (monitor interval, canary, probe).</summary>
    public GmsOptions Gms { get; init; } = new() { MonitorIntervalMs = 50, DrainTimeoutMs = 300_000 };

    /// <summary>The capacity in use.</summary>
    public int EffectiveCapacity => Capacity ?? (int)Math.Ceiling(DevicesPerLogicalNode / 2.0 * 1.1);
    /// <summary>Devices per logical node (the largest share).</summary>
    public int DevicesPerLogicalNode => (Devices + LogicalNodes - 1) / LogicalNodes;
}

/// <summary>One access node's peak against its capacity.</summary>
public sealed record NodePeak(string NodeId, string Version, int PeakConnections, int Capacity);

/// <summary>What the fleet benchmark measured.</summary>
public sealed record FleetResult(
    string Transport, int Devices, int LogicalNodes, IReadOnlyList<NodePeak> Nodes, RolloutResult Rollout,
    TimeSpan WallTime, TimeSpan ConnectTime, TimeSpan UpgradeTime, TimeSpan CommandTime, TimeSpan SettleTime,
    long CommandsSent, long CommandsCompleted, long CommandsLost, int CommandsDuplicated,
    long QueuedWhileAway, long Resent, long DuplicateReplies, long DeviceMoves, long PeakWorkingSetBytes)
{
    /// <summary>Nodes whose peak exceeded their capacity.</summary>
    public IReadOnlyList<NodePeak> OverCapacity => Nodes.Where(n => n.PeakConnections > n.Capacity).ToList();
}

/// <summary>
/// `hilrig bench fleet`: many lightweight devices in one process, a rolling upgrade of every
/// logical node while the vendor backend sends commands; counts lost and duplicated commands and
/// the peak connections of every node against its capacity.
/// </summary>
public static class FleetBenchmark
{
    private static readonly string[] CommandNames = ["ping", "set-power", "set-mode", "get-status"];

    /// <summary>Runs the benchmark; progress lines go to <paramref name="progress"/>.</summary>
    public static async Task<FleetResult> RunAsync(FleetOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var transport = options.Transport ?? new InMemoryTransport();
        var capacity = options.EffectiveCapacity;
        var perLogical = options.DevicesPerLogicalNode;
        var clusterOptions = new GatewayClusterOptions
        {
            LogicalNodes = Enumerable.Range(1, options.LogicalNodes).Select(i => string.Create(CultureInfo.InvariantCulture, $"gw-{i}")).ToList(),
            NodesPerLogicalNode = (perLogical + capacity - 1) / capacity,
            Capacity = capacity,
            Version = "1.0.0",
            Gms = options.Gms,
        };
        var wall = Stopwatch.StartNew();
        await using var cluster = await GatewayCluster.StartAsync(clusterOptions, transport, ServerEventSinks.None, cancellationToken).ConfigureAwait(false);
        var random = new Random(options.Seed);
        var ledger = new CommandLedger();
        var devices = Enumerable.Range(0, options.Devices).Select(i => cluster.CreateDevice(
            new GatewayDeviceOptions(string.Create(CultureInfo.InvariantCulture, $"dev-{i:D5}"), clusterOptions.LogicalNodes[i % options.LogicalNodes])
            {
                DeviceLevel = random.Next(3),
                AddressPriority = random.Next(2),
                ReconnectBackoffMs = 100,
            }, ledger: ledger)).ToArray();
        try
        {
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"connecting {options.Devices} devices to {options.LogicalNodes} logical nodes x {clusterOptions.NodesPerLogicalNode} nodes of capacity {capacity} ({transport.Name})...")).ConfigureAwait(false);
            await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = cancellationToken },
                async (device, token) => await device.StartAsync(token).ConfigureAwait(false)).ConfigureAwait(false);
            var connectTime = wall.Elapsed;

            await progress.WriteLineAsync($"rolling upgrade 1.0.0 -> 2.0.0 while commands flow ({options.CommandsPerSecond}/s)...").ConfigureAwait(false);
            using var stopCommands = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = ProduceCommandsAsync(cluster.Dispatcher, devices, options, stopCommands.Token);
            var upgradeStart = wall.Elapsed;
            var rollout = await cluster.Gms.RollingUpgradeAsync("2.0.0", cancellationToken).ConfigureAwait(false);
            var upgradeTime = wall.Elapsed - upgradeStart;
            await stopCommands.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            var commandTime = wall.Elapsed - upgradeStart;

            var settleStart = wall.Elapsed;
            await cluster.Dispatcher.WhenAllRepliedAsync(options.SettleTimeout, cancellationToken).ConfigureAwait(false);
            var settleTime = wall.Elapsed - settleStart;
            var dispatcher = cluster.Dispatcher;
            var nodes = cluster.AllNodes.Select(n => new NodePeak(n.NodeId, n.Version, n.PeakConnections, n.Capacity)).ToList();
            var peakMemory = Process.GetCurrentProcess().PeakWorkingSet64;
            return new FleetResult(transport.Name, options.Devices, options.LogicalNodes, nodes, rollout,
                wall.Elapsed, connectTime, upgradeTime, commandTime, settleTime,
                dispatcher.Sent, dispatcher.Completed, dispatcher.Unanswered, ledger.Duplicated,
                dispatcher.QueuedWhileAway, dispatcher.Resent, dispatcher.DuplicateReplies, devices.Sum(d => (long)d.Switches), peakMemory);
        }
        finally
        {
            await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency },
                async (device, _) => await device.DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>Prints the result block of `hilrig bench fleet`.</summary>
    public static void Print(FleetResult r, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var retired = r.Nodes.Count(n => n.Version == "1.0.0");
        output.WriteLine($"transport:       {r.Transport}{(r.Transport == "in-memory" ? " (MQTTnet packets over in-memory pipes; no sockets)" : "")}");
        output.WriteLine(string.Create(inv, $"devices:         {r.Devices}"));
        output.WriteLine(string.Create(inv, $"logical nodes:   {r.LogicalNodes}"));
        output.WriteLine(string.Create(inv, $"physical nodes:  {r.Nodes.Count} ({retired} at 1.0.0, {r.Nodes.Count - retired} at 2.0.0)"));
        output.WriteLine($"rollout:         {r.Rollout.State} (canary {r.Rollout.Canary}){(r.Rollout.Reason is null ? "" : ": " + r.Rollout.Reason)}");
        output.WriteLine(string.Create(inv, $"wall time:       {r.WallTime.TotalSeconds:0.0} s (connect {r.ConnectTime.TotalSeconds:0.0} s, rolling upgrade {r.UpgradeTime.TotalSeconds:0.0} s, last commands submitted at {r.CommandTime.TotalSeconds:0.0} s, settle {r.SettleTime.TotalSeconds:0.0} s)"));
        output.WriteLine(string.Create(inv, $"device moves:    {r.DeviceMoves}"));
        output.WriteLine(string.Create(inv, $"commands:        sent {r.CommandsSent}, completed {r.CommandsCompleted}, lost {r.CommandsLost}, duplicated {r.CommandsDuplicated} ({r.CommandsSent / Math.Max(0.001, r.CommandTime.TotalSeconds):0}/s achieved)"));
        output.WriteLine(string.Create(inv, $"                 (queued while the device was away {r.QueuedWhileAway}, resent after a device left a node {r.Resent}, duplicate replies {r.DuplicateReplies})"));
        output.WriteLine(string.Create(inv, $"peak memory:     {r.PeakWorkingSetBytes / (1024.0 * 1024.0):0} MiB (working set)"));
        output.WriteLine("max connections per node (peak/capacity):");
        foreach (var node in r.Nodes) output.WriteLine(string.Create(inv, $"  {node.NodeId,-8} v{node.Version}  {node.PeakConnections}/{node.Capacity}"));
        var over = r.OverCapacity;
        output.WriteLine(over.Count == 0 ? "over capacity:   none" : "over capacity:   " + string.Join(", ", over.Select(n => n.NodeId)));
    }

    private static async Task ProduceCommandsAsync(CommandDispatcher dispatcher, GatewayDevice[] devices, FleetOptions options, CancellationToken cancellationToken)
    {
        const int TickMs = 10;
        var random = new Random(options.Seed + 1);
        var perTick = Math.Max(1, options.CommandsPerSecond * TickMs / 1000);
        var clock = Stopwatch.StartNew();
        long due = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Keep the average rate even when a tick runs late.
                var target = clock.ElapsedMilliseconds / TickMs * perTick;
                var submits = new List<Task>();
                for (; due < target; due++)
                {
                    var device = devices[random.Next(devices.Length)];
                    var name = CommandNames[random.Next(CommandNames.Length)];
                    submits.Add(dispatcher.SubmitAsync(device.DeviceId, name, name == "set-power" ? "on" : name == "set-mode" ? "eco" : null, CancellationToken.None));
                }
                // One tick's commands go out together (order matters per device only, and the dispatcher keeps it).
                await Task.WhenAll(submits).ConfigureAwait(false);
                await Task.Delay(TickMs, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
