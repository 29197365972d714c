using HilRig.Core.Links;
using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>What every bench does when a node's power returns.</summary>
internal static class RelayRestarts
{
    /// <summary>The relays that carry what <paramref name="node"/> sends drop the half frame its last power-off left.</summary>
    public static void SenderRestarted(BenchWiring wiring, IReadOnlyDictionary<string, RelayLink> relays, string node)
    {
        if (relays.TryGetValue(node, out var above))
        {
            above.SenderRestarted(Direction.Upstream);
        }
        foreach (var child in wiring.Children(node))
        {
            if (relays.TryGetValue(child, out var below))
            {
                below.SenderRestarted(Direction.Downstream);
            }
        }
    }
}
