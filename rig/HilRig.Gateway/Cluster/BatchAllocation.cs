namespace HilRig.Gateway.Cluster;

/// <summary>
/// The capacity rule on a proxy's batch (docs/cloud.md §5.3, "Batch requests through a proxy device"), as the
/// design's example states it. The first upgraded node of the logical node (in bind order) takes the batch when it
/// holds it whole. Otherwise it is <b>locked</b> for this batch and the batch goes whole to the next upgraded node
/// when that one holds it. Otherwise the next upgraded node's address goes to as many devices as it holds and the
/// rest spill, in bind order, to the further upgraded nodes; the locked first node's room is used last. Devices
/// nothing has room for are told to retry. Pure: the master gateway calls it under its lock with the rooms it sees.
/// </summary>
public static class BatchAllocation
{
    /// <summary>One node's share of a batch: the next <paramref name="Count"/> devices of the batch, in order, get it.</summary>
    public sealed record Share(string NodeId, int Count);

    /// <summary>The plan for a batch of <paramref name="batchSize"/> devices over candidates with their free room, in bind order.</summary>
    /// <param name="candidates">The upgraded nodes (node id, free room = capacity − load), in the order the master tries them.</param>
    /// <param name="batchSize">Devices of the batch that hold no slot yet.</param>
    /// <param name="lockedNodeId">The first node when it could not take the batch whole, else null.</param>
    /// <returns>The shares in the order devices are given them; their counts add up to at most <paramref name="batchSize"/>.</returns>
    public static IReadOnlyList<Share> Plan(IReadOnlyList<(string NodeId, int Room)> candidates, int batchSize, out string? lockedNodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        lockedNodeId = null;
        if (batchSize == 0 || candidates.Count == 0) return [];
        var first = candidates[0];
        if (first.Room >= batchSize) return [new Share(first.NodeId, batchSize)];
        lockedNodeId = first.NodeId;
        if (candidates.Count > 1 && candidates[1].Room >= batchSize) return [new Share(candidates[1].NodeId, batchSize)];
        var shares = new List<Share>();
        var left = batchSize;
        // The next node filled, the rest spilled onward; the locked first node only takes what nothing else can.
        foreach (var (nodeId, room) in candidates.Skip(1).Append(first))
        {
            if (left == 0) break;
            var take = Math.Min(Math.Max(room, 0), left);
            if (take == 0) continue;
            shares.Add(new Share(nodeId, take));
            left -= take;
        }
        return shares;
    }
}
