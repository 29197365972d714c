using HilRig.Gateway.Cluster;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about a rollback after an upgrade finished (docs/cloud.md §5.4, "Rollback after completion").</summary>
[Binding]
public sealed class GmsRollbackSteps(BenchDriver bench, GatewayDriver gateway)
{
    private static readonly TimeSpan RollbackTimeout = TimeSpan.FromSeconds(60);

    [Given("the GMS watches the new nodes for {int} s after an upgrade finished")]
    public void GivenWatch(int seconds) => gateway.Cluster.Gms.WatchAfterUpgrade = TimeSpan.FromSeconds(seconds);

    [Then("access node {string} was unbound and shut")]
    public void ThenShut(string nodeId)
    {
        var node = gateway.Cluster.FindNode(nodeId) ?? throw new ExpectationException($"no access node {nodeId}");
        Expect.That(!node.IsRunning, $"{nodeId} is still running");
        Expect.That(gateway.Cluster.Bindings.BoundTo(node.Options.LogicalNode).All(n => n.NodeId != nodeId), $"{nodeId} is still bound");
    }

    [When("access node {string} starts dropping its connections")]
    public async Task WhenNodeDrops(string nodeId)
    {
        var node = gateway.Cluster.FindNode(nodeId) ?? throw new ExpectationException($"no access node {nodeId}");
        await node.InjectFaultAsync(AccessNodeFault.DropConnections);
    }

    [Then("the GMS rolls logical node {string} back to version {string} on a new access node, and shuts {string}")]
    public async Task ThenRolledBackAfterCompletion(string logicalNode, string version, string badNodeId)
    {
        var result = await gateway.Cluster.Gms.WhenWatchEndsAsync(logicalNode).WaitAsync(RollbackTimeout, bench.Cancellation);
        Expect.That(result is { State: LogicalNodeState.RolledBack }, $"the GMS's watch of {logicalNode} ended {result?.State.ToString() ?? "without a rollback"}");
        var bound = gateway.Cluster.Bindings.BoundTo(logicalNode);
        Expect.That(bound.Count > 0 && bound.All(n => n.Version == version && n.IsRunning && n.Accepting && result!.NewNodes.Contains(n.NodeId)),
            $"{logicalNode} is bound to {string.Join(", ", bound.Select(n => $"{n.NodeId} v{n.Version}"))}; expected the new node(s) {string.Join(", ", result!.NewNodes)} of version {version}");
        var bad = gateway.Cluster.FindNode(badNodeId) ?? throw new ExpectationException($"no access node {badNodeId}");
        Expect.That(!bad.IsRunning, $"{badNodeId} still runs after the rollback");
    }
}
