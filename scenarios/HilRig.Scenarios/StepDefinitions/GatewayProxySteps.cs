using System.Globalization;
using HilRig.Gateway.Cluster;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about a proxy device asking the master gateway for many devices at once (docs/cloud.md §5.3).</summary>
[Binding]
public sealed class GatewayProxySteps(BenchDriver bench, GatewayDriver gateway, GatewayProxyDriver proxy)
{
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(30);

    [Given("logical node {string} has an access node of version {string} holding {int} devices")]
    public async Task GivenLogicalNode(string logicalNode, string version, int capacity)
    {
        var cluster = gateway.Cluster;
        cluster.Bindings.AddLogicalNode(logicalNode);
        var node = await cluster.StartNodeAsync(logicalNode, version, capacity, bench.Cancellation);
        cluster.Bindings.Bind(logicalNode, node);
    }

    [Given("logical node {string} has these upgraded access nodes of version {string}:")]
    public async Task GivenUpgradedNodes(string logicalNode, string version, Table nodes)
    {
        var cluster = gateway.Cluster;
        foreach (var row in nodes.Rows)
        {
            var holds = int.Parse(row["holds"], NumberStyles.None, CultureInfo.InvariantCulture);
            var node = await cluster.StartNodeAsync(logicalNode, version, holds, bench.Cancellation);
            Expect.That(node.NodeId == row["node"], $"the cluster named the new node {node.NodeId}, the table expects {row["node"]}");
            cluster.Bindings.Bind(logicalNode, node);
        }
    }

    [Given("device {string} acts as proxy for the devices of logical node {string}")]
    public void GivenProxy(string deviceId, string logicalNode) => proxy.SetUp(deviceId, logicalNode);

    [Given("device {string} acts as proxy for the devices of logical node {string}, losing one answer in {int} and dying after handing out {int}")]
    public void GivenFaultyProxy(string deviceId, string logicalNode, int nth, int handedOut) => proxy.SetUp(deviceId, logicalNode, handedOut, nth);

    [When("access node {string} drains while the vendor backend sends each of its devices a {string} command")]
    public Task WhenDrain(string nodeId, string command) => proxy.DrainAsync(nodeId, command, MoveTimeout, bench.Cancellation);

    [Then("the proxy sent the master gateway one request for {int} devices")]
    public void ThenOneRequest(int count)
    {
        var answers = proxy.Proxy.Answers;
        Expect.That(answers.Count == 1, $"the proxy sent {answers.Count} batch requests ({string.Join("; ", answers.Select(a => $"{a.Devices.Count} device(s), {a.Status}"))}), expected one");
        Expect.That(answers[0].Status == "answered" && answers[0].Devices.Count == count, $"the batch answer was {answers[0].Status} for {answers[0].Devices.Count} device(s), expected {count}");
    }

    [Then("{int} devices were given access node {string}")]
    [Then("the other {int} devices were given access node {string}")]
    public void ThenGiven(int count, string nodeId)
    {
        var given = proxy.Proxy.Answers.FirstOrDefault()?.Devices.Count(d => d.NodeId == nodeId) ?? 0;
        Expect.That(given == count, $"the master gateway's batch answer gave {nodeId} to {given} device(s), expected {count}");
        var onNode = proxy.Members.Count(d => d.NodeId == nodeId);
        Expect.That(onNode == count, $"{onNode} devices are on {nodeId}, expected {count} ({string.Join(", ", proxy.Members.Select(d => $"{d.DeviceId}@{d.NodeId}"))})");
    }

    [Then("access node {string} was locked for the batch")]
    public void ThenLockedForBatch(string nodeId)
    {
        var locked = gateway.Timeline.Snapshot().Any(e => e.Source == "master-gateway" && e.Kind == "locked" && e.Summary.StartsWith($"{nodeId} cannot take the batch", StringComparison.Ordinal));
        Expect.That(locked, $"the master gateway never locked {nodeId} for the batch");
        Expect.That(proxy.Members.All(d => d.NodeId != nodeId), $"devices on {nodeId}: {string.Join(", ", proxy.Members.Where(d => d.NodeId == nodeId).Select(d => d.DeviceId))}");
    }

    [Then("every device connected at the first try to the node the master gateway gave it")]
    public void ThenFirstTry()
    {
        var wrong = proxy.Members.Where(d => proxy.FirstBatchEntry(d.DeviceId)?.NodeId is not { } given || d.NodeId != given)
            .Select(d => $"{d.DeviceId} is on {d.NodeId}, given {proxy.FirstBatchEntry(d.DeviceId)?.NodeId ?? "nothing"}").ToList();
        Expect.That(wrong.Count == 0, string.Join("; ", wrong));
        var refused = gateway.Cluster.AllNodes.Where(n => n.Refused > 0).Select(n => $"{n.NodeId} refused {n.Refused} connection(s)").ToList();
        Expect.That(refused.Count == 0, $"devices were sent where they had no place: {string.Join(", ", refused)}");
    }

    [Then("every device is on exactly one access node, the one the master gateway gave it in the batch")]
    public async Task ThenExactlyOneNode()
    {
        var nodes = gateway.Cluster.AllNodes.Where(n => n.IsRunning).ToList();
        var problems = new List<string>();
        foreach (var device in proxy.Members)
        {
            // The device closed its old channel before it said it moved; the old node notes the disconnect on its own time.
            await gateway.Timeline.WaitForAsync(e => e.Kind == "disconnect" && e.Summary.StartsWith($"{device.DeviceId} left ", StringComparison.Ordinal),
                1, $"{device.DeviceId} leaving its old node", TimeSpan.FromSeconds(10), bench.Cancellation);
            var on = nodes.Where(n => n.IsConnected(device.DeviceId)).Select(n => n.NodeId).ToList();
            var given = proxy.FirstBatchEntry(device.DeviceId)?.NodeId;
            if (on.Count != 1 || on[0] != given) problems.Add($"{device.DeviceId} is connected to [{string.Join(", ", on)}], given {given ?? "nothing"}");
            else if (gateway.Cluster.Master.Load(on[0]) > gateway.Cluster.FindNode(on[0])!.Capacity) problems.Add($"{on[0]} holds more slots than it has room");
        }
        Expect.That(problems.Count == 0, string.Join("; ", problems));
    }

    [Then("the proxy died after handing out {int} addresses")]
    public void ThenProxyDied(int count)
    {
        Expect.That(proxy.Proxy.IsDead, "the proxy is alive; it was set to die");
        var handed = gateway.Timeline.Snapshot().Count(e => e.Source == $"proxy:{proxy.Proxy.ProxyDeviceId}" && e.Kind == "hand-out");
        Expect.That(handed == count, $"the proxy handed out {handed} address(es) before it died, expected {count}");
    }

    [Then("the {int} devices whose answer never came asked the master gateway themselves")]
    public void ThenFellBack(int count)
    {
        var fallbacks = gateway.Timeline.Snapshot().Where(e => e.Source == $"proxy:{proxy.Proxy.ProxyDeviceId}" && e.Kind == "fallback")
            .Select(e => e.Summary.Split(' ')[0]).Distinct(StringComparer.Ordinal).ToList();
        Expect.That(fallbacks.Count == count, $"{fallbacks.Count} devices asked the master themselves ({string.Join(", ", fallbacks)}), expected {count}");
    }

    [Then("no virtual device ran a command twice")]
    public void ThenNoneTwice()
    {
        Expect.That(gateway.Ledger.Executions > 0, "no virtual device ran a command");
        Expect.That(gateway.Ledger.Duplicated == 0, $"{gateway.Ledger.Duplicated} command(s) ran twice on a virtual device");
    }
}
