using HilRig.Bench.Module;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// A proxy device among the scenario's virtual gateway devices (docs/cloud.md §5.3, "Batch requests through a proxy
/// device"), and the drain of the node its members are on. The proxy takes the module defect
/// <c>proxy-hands-everyone-the-first-address</c> when the run was started with it (<c>--defect module:...</c>).
/// </summary>
public sealed class GatewayProxyDriver(GatewayDriver gateway, RigSettings settings)
{
    /// <summary>How long a member waits for the proxy before asking the master itself: short, so a dead proxy costs a second.</summary>
    public const int HandOffTimeoutMs = 1_000;

    /// <summary>The proxy, once set up.</summary>
    public AddressProxy Proxy { get; private set; } = null!;

    /// <summary>Its members: the virtual devices of its logical node.</summary>
    public IReadOnlyList<GatewayDevice> Members { get; private set; } = [];

    /// <summary>Makes <paramref name="proxyDeviceId"/> the proxy of every virtual device of <paramref name="logicalNode"/>.</summary>
    public void SetUp(string proxyDeviceId, string logicalNode, int? dieAfterHandingOut = null, int? loseEveryNthAnswer = null)
    {
        Members = gateway.Devices.Where(d => d.Options.LogicalNode == logicalNode).ToList();
        if (!Members.Any(d => d.DeviceId == proxyDeviceId))
        {
            throw new ExpectationException($"no virtual device {proxyDeviceId} of logical node {logicalNode} (there are {string.Join(", ", Members.Select(d => d.DeviceId))})");
        }
        var defective = settings.ChipDefects.GetValueOrDefault(Core.Wiring.ModuleWiring.Name)?.Contains(ModuleDefects.ByName.Single(p => p.Value == ModuleDefect.ProxyHandsEveryoneTheFirstAddress).Key) == true;
        var options = new AddressProxyOptions
        {
            HandOffTimeoutMs = HandOffTimeoutMs,
            // Every member asks within milliseconds of its offline notice, which closes the round at once; the long window only
            // keeps a loaded CI machine from splitting the batch.
            CollectWindowMs = 5_000,
            DieAfterHandingOut = dieAfterHandingOut,
            LoseEveryNthAnswer = loseEveryNthAnswer,
            HandsEveryoneTheFirstAddress = defective,
        };
        Proxy = new AddressProxy(proxyDeviceId, logicalNode, Members.Select(d => d.DeviceId), gateway.Cluster.Master, options, (source, kind, detail) => gateway.Timeline.Add(source, kind, detail));
        foreach (var member in Members) member.AddressVia = Proxy.ClientFor(member.DeviceId);
    }

    /// <summary>
    /// Drains <paramref name="nodeId"/> as the GMS does (stops accepting, sends every device the offline instruction), sends each
    /// member a command as soon as its notice is out, and returns once every member moved.
    /// </summary>
    public async Task DrainAsync(string nodeId, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var node = gateway.Cluster.FindNode(nodeId) ?? throw new ExpectationException($"no access node {nodeId}");
        var moved = Members.Select(d =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            d.Switched += (_, _) => done.TrySetResult();
            return done.Task;
        }).ToList();
        await node.BeginDrainAsync("upgrade");
        gateway.Cluster.Bindings.NotifyChanged();
        await node.SendOfflineBatchAsync(cancellationToken);
        foreach (var member in Members) await gateway.SubmitAsync(member.DeviceId, command, null);
        try
        {
            await Task.WhenAll(moved).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            var stuck = Members.Where((_, i) => !moved[i].IsCompleted).Select(d => $"{d.DeviceId}@{d.NodeId}");
            throw new ExpectationException($"not moved off {nodeId} within {timeout.TotalSeconds:0} s: {string.Join(", ", stuck)}");
        }
    }

    /// <summary>The master's entry for <paramref name="deviceId"/> in the proxy's first batch answer, or null.</summary>
    public DeviceAddressAnswer? FirstBatchEntry(string deviceId) =>
        Proxy.Answers.FirstOrDefault()?.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
}
