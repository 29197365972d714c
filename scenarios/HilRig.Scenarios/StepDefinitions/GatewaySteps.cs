using HilRig.Gateway.Cluster;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using static HilRig.Scenarios.StepDefinitions.WifiSteps;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about the gateway cluster's rolling upgrade (docs/cloud.md §5).</summary>
[Binding]
public sealed class GatewaySteps(BenchDriver bench, CloudDriver cloud, GatewayDriver gateway)
{
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(90);
    private Task? _upgrade;
    private string? _waitCommand;
    private readonly List<string> _pings = new();

    [Given("the module is connected to its gateway node")]
    public Task GivenModuleOnGateway() =>
        Wait(gateway.Timeline.WaitForAsync(e => e.Source.StartsWith("gateway:", StringComparison.Ordinal) && e.Kind == "ready" && e.Summary.StartsWith($"{cloud.DeviceId} ready on", StringComparison.Ordinal),
            1, "the module ready on an access node", CloudDriver.ConnectTimeout, bench.Cancellation));

    [Given("{int} virtual devices of logical node {string} are connected to the gateway cluster")]
    [When("{int} virtual devices of logical node {string} connect to the gateway cluster")]
    public Task GivenVirtualDevices(int count, string logicalNode) => gateway.StartDevicesAsync(count, logicalNode);

    [Given("logical node {string} has a second access node")]
    public async Task GivenSecondNode(string logicalNode)
    {
        var cluster = gateway.Cluster;
        var first = cluster.Bindings.BoundTo(logicalNode)[0];
        var node = await cluster.StartNodeAsync(logicalNode, first.Version, first.Capacity, bench.Cancellation);
        cluster.Bindings.Bind(logicalNode, node);
    }

    [Given("new access nodes will drop their connections")]
    public void GivenNewNodesDrop()
    {
        var cluster = gateway.Cluster;
        cluster.Gms.LogicalNodeStateChanged += (logical, state) =>
        {
            if (state == LogicalNodeState.Draining && cluster.Bindings.BoundTo(logical) is { Count: > 0 } bound)
            {
                _ = bound[^1].InjectFaultAsync(AccessNodeFault.DropConnections);
            }
        };
    }

    [When("the vendor backend sends the module a {string} command every {int} ms through the gateway")]
    public void WhenStream(string name, int ms) => gateway.StartStream(cloud.DeviceId, name, TimeSpan.FromMilliseconds(ms));

    [When("the vendor backend sends the module a \"wait\" command of {int} ms through the gateway")]
    public async Task WhenWaitCommand(int ms)
    {
        _waitCommand = await gateway.SubmitAsync(cloud.DeviceId, "wait", ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The module has it in hand once it runs it: its gateway device logs nothing per command, so the rig
        // waits for the node to have delivered it (the dispatcher's pending count drops to zero).
        await Wait(gateway.Timeline.WaitForAsync(e => e.Kind == "gateway-command" && e.Summary.StartsWith(_waitCommand, StringComparison.Ordinal), 1,
            "the wait command sent", TimeSpan.FromSeconds(5), bench.Cancellation));
    }

    [When("the vendor backend sends the module {int} {string} commands through the gateway once the offline notice reached it")]
    public async Task WhenCommandsAfterOffline(int count, string name)
    {
        await Wait(cloud.WaitForModuleLogAsync($"gateway offline: {cloud.DeviceId} told to leave", 1, TimeSpan.FromSeconds(20)));
        await WhenCommands(count, name);
    }

    [When("the vendor backend sends the module {int} {string} commands through the gateway")]
    public async Task WhenCommands(int count, string name)
    {
        for (var i = 0; i < count; i++)
        {
            _pings.Add(await gateway.SubmitAsync(cloud.DeviceId, name, null));
        }
    }

    [When("the GMS upgrades every logical node to version {string}")]
    public async Task WhenRollingUpgrade(string version)
    {
        gateway.Rollout = await gateway.Cluster.Gms.RollingUpgradeAsync(version, bench.Cancellation).WaitAsync(UpgradeTimeout, bench.Cancellation);
        await gateway.StopStreamAsync();
    }

    [When("the GMS upgrades logical node {string} to version {string}")]
    public async Task WhenLogicalUpgrade(string logical, string version)
    {
        gateway.LogicalUpgrade = await gateway.Cluster.Gms.UpgradeLogicalNodeAsync(logical, version, bench.Cancellation).WaitAsync(UpgradeTimeout, bench.Cancellation);
        await gateway.StopStreamAsync();
    }

    [When("the GMS upgrades logical node {string} to version {string} while that command runs")]
    public void WhenLogicalUpgradeInBackground(string logical, string version) =>
        _upgrade = Task.Run(async () => gateway.LogicalUpgrade = await gateway.Cluster.Gms.UpgradeLogicalNodeAsync(logical, version, bench.Cancellation));

    [Then("the rolling upgrade completes with {string} as the canary")]
    public void ThenRolloutCompletes(string canary)
    {
        var rollout = gateway.Rollout ?? throw new InvalidOperationException("no rolling upgrade ran in this scenario");
        Expect.That(rollout.State == RolloutState.Completed, $"the rolling upgrade ended {rollout.State}: {rollout.Reason}");
        Expect.That(rollout.Canary == canary, $"the canary was {rollout.Canary}, expected {canary}");
        Expect.That(rollout.LogicalNodes.All(l => l.State == LogicalNodeState.Upgraded), $"logical nodes: {string.Join(", ", rollout.LogicalNodes.Select(l => $"{l.LogicalNode} {l.State}"))}");
        // The canary first: no other logical node got a new node before the canary's old node was retired.
        var events = gateway.Timeline.Snapshot();
        var canaryDone = events.LastOrDefault(e => e.Source == "gms" && e.Kind == "unbind" && e.Summary.StartsWith($"{canary}:", StringComparison.Ordinal));
        Expect.That(canaryDone is not null, $"the GMS never retired the canary {canary}'s old node");
        var early = rollout.LogicalNodes.Where(l => l.LogicalNode != canary).SelectMany(l => l.NewNodes)
            .Select(id => events.FirstOrDefault(e => e.Kind == "start" && e.Source == $"gateway:{id}"))
            .Where(e => e is not null && e.AtMs < canaryDone!.AtMs).Select(e => e!.Source).ToList();
        Expect.That(early.Count == 0, $"new nodes started before the canary {canary} was done: {string.Join(", ", early)}");
    }

    [Then("the rolling upgrade halts at the canary {string}")]
    public void ThenRolloutHalts(string canary)
    {
        var rollout = gateway.Rollout ?? throw new InvalidOperationException("no rolling upgrade ran in this scenario");
        Expect.That(rollout.State == RolloutState.Halted && rollout.Canary == canary, $"the rolling upgrade ended {rollout.State} with canary {rollout.Canary}, expected Halted at {canary}");
    }

    [Then("logical node {string} still runs version {string}")]
    public void ThenLogicalStillRuns(string logical, string version)
    {
        var bound = gateway.Cluster.Bindings.BoundTo(logical);
        Expect.That(bound.Count > 0 && bound.All(n => n.Version == version && n.IsRunning),
            $"logical node {logical} is bound to {string.Join(", ", bound.Select(n => $"{n.NodeId} {n.Version}{(n.IsRunning ? "" : " (shut)")}"))}, expected version {version}");
        Expect.That(gateway.Cluster.Gms.StateOf(logical) == LogicalNodeState.Serving, $"logical node {logical} is {gateway.Cluster.Gms.StateOf(logical)}, expected untouched (Serving)");
    }

    [Then("logical node {string} was rolled back to its old node")]
    public void ThenRolledBack(string logical)
    {
        var upgrade = gateway.LogicalUpgrade ?? throw new InvalidOperationException("no logical node upgrade ran in this scenario");
        Expect.That(upgrade.State == LogicalNodeState.RolledBack, $"logical node {logical} ended {upgrade.State}{(upgrade.Reason is null ? "" : $": {upgrade.Reason}")}");
        var bound = gateway.Cluster.Bindings.BoundTo(logical);
        Expect.That(bound.All(n => n.Accepting && !upgrade.NewNodes.Contains(n.NodeId)), $"logical node {logical} is bound to {string.Join(", ", bound.Select(n => n.NodeId))}; the new node(s) {string.Join(", ", upgrade.NewNodes)} should be gone");
    }

    [Then("the module is on an access node of version {string}")]
    public async Task ThenModuleOnVersion(string version)
    {
        // The module may still be moving: wait until the dispatcher routes to a node of that version.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (gateway.ModuleNode is not { } node || node.Version != version)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new ExpectationException($"the module is on {gateway.ModuleNode?.NodeId ?? "no node"} ({gateway.ModuleNode?.Version}), expected a node of version {version}");
            }
            await Wait(gateway.Timeline.WaitForAsync(e => e.Source.StartsWith("gateway:", StringComparison.Ordinal) && e.Kind == "ready", 1, "a device ready", TimeSpan.FromSeconds(1), bench.Cancellation)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Then("every command sent through the gateway was answered exactly once")]
    public async Task ThenAnsweredOnce()
    {
        await gateway.StopStreamAsync();
        if (_upgrade is not null) await _upgrade;
        var dispatcher = gateway.Cluster.Dispatcher;
        var all = await dispatcher.WhenAllRepliedAsync(TimeSpan.FromSeconds(30), bench.Cancellation);
        Expect.That(gateway.Commands.Count > 0, "no command was sent through the gateway");
        Expect.That(all && dispatcher.Unanswered == 0, $"{dispatcher.Unanswered} of {dispatcher.Sent} commands were never answered");
        Expect.That(dispatcher.DuplicateReplies == 0, $"{dispatcher.DuplicateReplies} commands were answered twice");
        var commands = gateway.Commands;
        await Task.WhenAll(commands.Select(c => c.Reply)).WaitAsync(TimeSpan.FromSeconds(30), bench.Cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        var failed = commands.Where(c => !c.Reply.IsCompletedSuccessfully || !c.Reply.Result.Ok).Select(c => c.Id).ToList();
        Expect.That(failed.Count == 0, $"commands without a good answer: {string.Join(", ", failed)}");
    }

    [Then("every old access node was unbound and shut once it had no connection and no uplink traffic")]
    public void ThenOldNodesShut()
    {
        var rollout = gateway.Rollout;
        var retired = rollout?.LogicalNodes.SelectMany(l => l.RetiredNodes).ToList() ?? gateway.LogicalUpgrade?.RetiredNodes.ToList() ?? [];
        Expect.That(retired.Count > 0, "no access node was retired");
        foreach (var id in retired)
        {
            var node = gateway.Cluster.FindNode(id)!;
            Expect.That(!node.IsRunning && node.Connections == 0, $"{id} is {(node.IsRunning ? "still running" : "shut")} with {node.Connections} connection(s)");
            Expect.That(gateway.Cluster.Bindings.BoundTo(node.NodeId.Split('.')[0]).All(n => n.NodeId != id), $"{id} is still bound");
            var shut = gateway.Timeline.Snapshot().FirstOrDefault(e => e.Kind == "shut" && e.Summary.StartsWith($"{id} shut", StringComparison.Ordinal));
            Expect.That(shut is not null && shut.Summary.Contains("with 0 device(s) connected", StringComparison.Ordinal), $"{id}: {shut?.Summary ?? "never shut"}");
        }
    }

    [Then("the \"wait\" command was answered before the module was ready on the new node")]
    public void ThenWaitAnsweredOnOldNode()
    {
        var id = _waitCommand ?? throw new InvalidOperationException("no wait command was sent in this scenario");
        // The module's own log, in the order it did things: where its answer went (acknowledged by that node's broker), and
        // when it connected to its new node. The backend's receipt of the answer and the node's "ready" are seen through
        // two different observers of the broker (a subscriber, a log), so their times say nothing of the module's order.
        var log = gateway.Timeline.Snapshot().Where(e => e.Kind == "log").Select(e => e.Summary).ToList();
        var answered = log.FindIndex(l => l.Contains($"{cloud.DeviceId} answered {id} via ", StringComparison.Ordinal));
        var moved = log.FindLastIndex(l => l.Contains($"{cloud.DeviceId} moved from ", StringComparison.Ordinal));
        Expect.That(answered >= 0, $"the module's log has no record of answering {id}");
        Expect.That(moved >= 0, "the module's log has no record of moving to a new node");
        var oldNode = System.Text.RegularExpressions.Regex.Match(log[moved], @"moved from (\S+) to").Groups[1].Value;
        Expect.That(answered < moved && log[answered].EndsWith($" via {oldNode}", StringComparison.Ordinal),
            $"the module answered {id} as '{log[answered]}', and moved as '{log[moved]}': "
            + "a command running when the offline notice comes finishes on the old node before the device moves (docs/cloud.md §5)");
    }

    [Then("the \"ping\" commands were answered after the module was ready on the new node")]
    public async Task ThenPingsOnNewNode()
    {
        // The module's own record of where each answer went (its log), not the times two observers of two brokers saw things.
        // Its log reaches the timeline through the module process's output, behind the replies the step before waited for
        // (on a loaded machine, with benches in parallel, by a few hundred ms): wait for a record of every ping's answer.
        await gateway.Timeline.WaitForAsync(e => e.Kind == "log" && _pings.Any(p => e.Summary.Contains($"{cloud.DeviceId} answered {p} via ", StringComparison.Ordinal)),
            _pings.Count, "the module's record of answering each ping", TimeSpan.FromSeconds(10), bench.Cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        var log = gateway.Timeline.Snapshot().Where(e => e.Kind == "log").Select(e => e.Summary).ToList();
        var moved = log.FindLastIndex(l => l.Contains($"{cloud.DeviceId} moved from ", StringComparison.Ordinal));
        Expect.That(moved >= 0, "the module's log has no record of moving to a new node");
        var newNode = System.Text.RegularExpressions.Regex.Match(log[moved], @" to (\S+)$").Groups[1].Value;
        var elsewhere = _pings.Where(p => !log.Any(l => l.Contains($"{cloud.DeviceId} answered {p} via {newNode}", StringComparison.Ordinal))).ToList();
        Expect.That(_pings.Count > 0 && elsewhere.Count == 0, $"not answered on the new node {newNode}, once the module was there: {string.Join(", ", elsewhere)}");
    }

    [Then("the module closed its old channel only after it was ready on the new node")]
    public void ThenOldClosedLast()
    {
        var left = gateway.Timeline.Snapshot().Where(e => e.Kind == "disconnect" && e.Summary.StartsWith($"{cloud.DeviceId} left", StringComparison.Ordinal)).ToList();
        Expect.That(left.Count > 0, "the module never left its old node");
        Expect.That(left[^1].Summary.Contains("(clean)", StringComparison.Ordinal), $"the module's old node saw it leave without a clean disconnect ({left[^1].Summary})");
        // The order is the module's own (its log): the two nodes' records come through two observers whose times may
        // differ by a few milliseconds, so they cannot order events that close.
        var log = gateway.Timeline.Snapshot().Where(e => e.Kind == "log").Select(e => e.Summary).ToList();
        var closed = log.FindLastIndex(l => l.Contains($"{cloud.DeviceId} closed its channel to ", StringComparison.Ordinal));
        var connected = log.FindLastIndex(l => l.Contains($"{cloud.DeviceId} connected to ", StringComparison.Ordinal) && l.Contains("subscribed", StringComparison.Ordinal));
        Expect.That(closed >= 0 && connected >= 0, "the module's log has no record of connecting to a new node and closing the old channel");
        Expect.That(connected < closed, $"the module closed its old channel ('{log[closed]}') before it was subscribed on the new node ('{log[connected]}')");
    }

    [Then("access node {string} holds {int} devices and is locked")]
    public void ThenNodeLocked(string nodeId, int count)
    {
        var node = gateway.Cluster.FindNode(nodeId) ?? throw new ExpectationException($"no access node {nodeId}");
        Expect.That(node.Connections == count, $"{nodeId} holds {node.Connections} devices, expected {count}");
        Expect.That(gateway.Cluster.Master.IsLocked(node), $"{nodeId} is not locked at {node.Connections}/{node.Capacity}");
    }

    [Then("the other {int} devices were sent to access node {string}")]
    public void ThenSpilled(int count, string nodeId)
    {
        var onNode = gateway.Devices.Count(d => d.NodeId == nodeId);
        Expect.That(onNode == count, $"{onNode} virtual devices are on {nodeId}, expected {count} ({string.Join(", ", gateway.Devices.Select(d => $"{d.DeviceId}@{d.NodeId}"))})");
    }
}
