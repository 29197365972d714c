using HilRig.Gateway.Cluster;
using HilRig.Gateway.Transport;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Support;

/// <summary>Access nodes started on one in-memory transport and bound to their logical nodes; shut when the test ends.</summary>
public sealed class BoundNodes : IAsyncDisposable
{
    private readonly List<AccessNode> _nodes = [];

    /// <summary>The transport every node listens on.</summary>
    public InMemoryTransport Transport { get; } = new();

    /// <summary>The bindings the master gateway reads.</summary>
    public NodeBindings Bindings { get; } = new();

    /// <summary>Starts node <paramref name="nodeId"/> of <paramref name="logical"/> and binds it.</summary>
    public async Task<AccessNode> BindAsync(string logical, string nodeId, int capacity, string version)
    {
        var node = await AccessNode.StartAsync(new AccessNodeOptions(nodeId, logical, version, capacity), Transport, ServerEventSinks.None, TestContext.Current.CancellationToken);
        _nodes.Add(node);
        Bindings.Bind(logical, node);
        return node;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.ShutAsync();
    }
}
