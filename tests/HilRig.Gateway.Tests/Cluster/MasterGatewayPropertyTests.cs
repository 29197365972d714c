using FsCheck.Xunit;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Cluster;

public sealed class MasterGatewayPropertyTests
{
    /// <summary>
    /// Any sequence of requests and releases over nodes of any capacities: no node's load ever
    /// passes its capacity, and a request is refused only when every node is full.
    /// </summary>
    [Property(MaxTest = 60)]
    public bool Allocation_NeverExceedsCapacity_When_RequestsAndReleasesInterleave(byte[] capacitySeeds, int[] operations)
    {
        var capacities = capacitySeeds.Take(4).Select(b => 1 + b % 5).DefaultIfEmpty(1).ToArray();
        var transport = new InMemoryTransport();
        var bindings = new NodeBindings();
        var nodes = capacities.Select((capacity, i) =>
            AccessNode.StartAsync(new AccessNodeOptions($"n{i}", "gw-1", "1.0.0", capacity), transport, ServerEventSinks.None, CancellationToken.None).GetAwaiter().GetResult()).ToList();
        try
        {
            foreach (var node in nodes) bindings.Bind("gw-1", node);
            using var master = new MasterGateway(bindings, new MasterGatewayOptions { MaxWaitMs = 0 }, ServerEventSinks.None);
            var placed = new Dictionary<string, string>();
            foreach (var op in operations)
            {
                var device = $"d{Math.Abs(op % 12)}";
                // A placed device leaves (frees its slot); an unplaced one asks.
                if (placed.Remove(device, out var nodeId))
                {
                    master.ReportConnectFailedAsync(device, nodeId, CancellationToken.None).GetAwaiter().GetResult();
                }
                else
                {
                    var answer = master.RequestAddressAsync(new AddressRequest(device, "gw-1"), CancellationToken.None).GetAwaiter().GetResult();
                    if (answer.IsAssigned) placed[device] = answer.NodeId!;
                    else if (nodes.Any(n => master.Load(n.NodeId) < n.Capacity)) return false; // refused with room left
                }
                if (nodes.Any(n => master.Load(n.NodeId) > n.Capacity)) return false;
            }
            return nodes.Sum(n => master.Load(n.NodeId)) == placed.Count;
        }
        finally
        {
            foreach (var node in nodes) node.ShutAsync().GetAwaiter().GetResult();
        }
    }
}
