namespace HilRig.Gateway.Cluster;

/// <summary>
/// The gateway management service's table: logical node → the physical access nodes bound to it,
/// in bind order. The master gateway reads it; only the GMS (and cluster setup) writes it.
/// </summary>
public sealed class NodeBindings
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<AccessNode>> _bound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, string Reason)> _unbindFailures = new(StringComparer.Ordinal);

    /// <summary>Raised after every change (bind, unbind, a node's accepting flag changed by the GMS).</summary>
    public event Action? Changed;

    /// <summary>Logical node names, in the order they were added.</summary>
    public IReadOnlyList<string> LogicalNodes
    {
        get { lock (_gate) return [.. _bound.Keys]; }
    }

    /// <summary>Adds a logical node with no physical node yet.</summary>
    public void AddLogicalNode(string logicalNode)
    {
        lock (_gate) _bound.TryAdd(logicalNode, []);
    }

    /// <summary>True when the logical node exists.</summary>
    public bool Contains(string logicalNode)
    {
        lock (_gate) return _bound.ContainsKey(logicalNode);
    }

    /// <summary>The physical nodes bound to a logical node, in bind order (empty when unknown).</summary>
    public IReadOnlyList<AccessNode> BoundTo(string logicalNode)
    {
        lock (_gate) return _bound.TryGetValue(logicalNode, out var nodes) ? [.. nodes] : [];
    }

    /// <summary>Binds a physical node to a logical node (appended: bind order).</summary>
    public void Bind(string logicalNode, AccessNode node)
    {
        lock (_gate)
        {
            if (!_bound.TryGetValue(logicalNode, out var nodes)) _bound[logicalNode] = nodes = [];
            if (!nodes.Contains(node)) nodes.Add(node);
        }
        Changed?.Invoke();
    }

    /// <summary>Unbinds a physical node; false when it was not bound there.</summary>
    public bool Unbind(string logicalNode, AccessNode node)
    {
        bool removed;
        lock (_gate) removed = _bound.TryGetValue(logicalNode, out var nodes) && nodes.Remove(node);
        if (removed) Changed?.Invoke();
        return removed;
    }

    /// <summary>
    /// Unbinds a physical node as the GMS does at the end of a drain; false and why when the binding store refuses (an injected
    /// <see cref="FailNextUnbinds"/>) or the node was not bound there.
    /// </summary>
    public bool TryUnbind(string logicalNode, AccessNode node, out string? failure)
    {
        lock (_gate)
        {
            if (_unbindFailures.TryGetValue(node.NodeId, out var pending) && pending.Count > 0)
            {
                _unbindFailures[node.NodeId] = (pending.Count - 1, pending.Reason);
                failure = pending.Reason;
                return false;
            }
        }
        failure = Unbind(logicalNode, node) ? null : $"{node.NodeId} is not bound to {logicalNode}";
        return failure is null;
    }

    /// <summary>Fault: the next <paramref name="count"/> <see cref="TryUnbind"/> calls for <paramref name="nodeId"/> fail with <paramref name="reason"/>.</summary>
    public void FailNextUnbinds(string nodeId, int count, string reason)
    {
        lock (_gate) _unbindFailures[nodeId] = (count, reason);
    }

    /// <summary>Tells readers that something they derive from the table changed (a node stopped or resumed accepting).</summary>
    public void NotifyChanged() => Changed?.Invoke();
}
