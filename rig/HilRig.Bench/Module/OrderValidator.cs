using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>
/// Refuses an upgrade order that would route traffic through a sleeping chip (docs/protocol.md §7.1):
/// a chip sleeps once upgraded, so every chip in the order must come after all the chips below it
/// that are in the order too. Chips left out of the order are not upgraded.
/// </summary>
public static class OrderValidator
{
    /// <summary>Null when the order is valid, else the reason naming the chips.</summary>
    public static string? Validate(IReadOnlyList<byte> order, IReadOnlyList<TopologyEntry> topology)
    {
        var parents = topology.ToDictionary(c => c.ModelId, c => c.ParentId);
        foreach (var chip in order.Where(c => !parents.ContainsKey(c)))
        {
            return $"chip 0x{chip:X2} is in the order but did not answer PREPARE";
        }
        if (order.Distinct().Count() != order.Count)
        {
            return "the order names a chip twice";
        }
        for (var i = 0; i < order.Count; i++)
        {
            for (var ancestor = parents[order[i]]; parents.ContainsKey(ancestor); ancestor = parents[ancestor])
            {
                var position = IndexOf(order, ancestor);
                if (position >= 0 && position < i)
                {
                    return $"chip 0x{ancestor:X2} would be asleep (upgraded at step {position + 1}) on the path to chip 0x{order[i]:X2} (step {i + 1})";
                }
            }
        }
        return null;
    }

    private static int IndexOf(IReadOnlyList<byte> order, byte chip)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == chip) return i;
        }
        return -1;
    }
}
