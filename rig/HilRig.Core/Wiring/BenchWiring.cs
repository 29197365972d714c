namespace HilRig.Core.Wiring;

/// <summary>
/// A bench as described by its wiring file: the module, the chips, the UART links between them
/// and the default upgrade order. <see cref="WiringLoader"/> only returns benches whose links form
/// a tree rooted at the module; the topology helpers assume that.
/// </summary>
/// <param name="Name">Bench name.</param>
/// <param name="Kind">Virtual or hardware bench.</param>
/// <param name="SourcePath">The wiring file the bench was read from.</param>
/// <param name="Module">The comm module at the head of the chain.</param>
/// <param name="Chips">The chips, in file order.</param>
/// <param name="Links">The links, in file order; a node's downstream ports are numbered in this order.</param>
/// <param name="DefaultOrder">The upgrade order given in the file, or null for far-to-near.</param>
public sealed record BenchWiring(
    string Name,
    BenchKind Kind,
    string SourcePath,
    ModuleWiring Module,
    IReadOnlyList<ChipWiring> Chips,
    IReadOnlyList<LinkWiring> Links,
    IReadOnlyList<string>? DefaultOrder)
{
    /// <summary>The device's network side and its servers (docs/cloud.md), or null for a bench without them.</summary>
    public NetworkWiring? Network { get; init; }

    /// <summary>The order chips are upgraded in: <see cref="DefaultOrder"/> or else <see cref="FarToNearOrder"/>.</summary>
    public IReadOnlyList<string> UpgradeOrder => DefaultOrder ?? FarToNearOrder();

    /// <summary>The chip with the given name.</summary>
    /// <exception cref="ArgumentException">No chip has that name.</exception>
    public ChipWiring Chip(string chipName) =>
        Chips.FirstOrDefault(c => c.Name == chipName)
        ?? throw new ArgumentException($"Bench '{Name}' has no chip '{chipName}'.", nameof(chipName));

    /// <summary>The chip with the given model id, or null.</summary>
    public ChipWiring? ChipByModelId(byte modelId) => Chips.FirstOrDefault(c => c.ModelId == modelId);

    /// <summary>The link whose downstream end is the chip.</summary>
    /// <exception cref="ArgumentException">The chip is unknown or has no upstream link.</exception>
    public LinkWiring UpstreamLink(string chipName)
    {
        _ = Chip(chipName);
        return Links.FirstOrDefault(l => l.To == chipName)
            ?? throw new ArgumentException($"Chip '{chipName}' has no upstream link.", nameof(chipName));
    }

    /// <summary>The links whose upstream end is the node, in file order (downstream port 0 first).</summary>
    public IReadOnlyList<LinkWiring> DownstreamLinks(string nodeName)
    {
        RequireNode(nodeName);
        return Links.Where(l => l.From == nodeName).ToList();
    }

    /// <summary>The node directly upstream of the chip: <c>module</c> or another chip.</summary>
    public string Parent(string chipName) => UpstreamLink(chipName).From;

    /// <summary>The chips directly downstream of the node, in link order (downstream port 0 first).</summary>
    public IReadOnlyList<string> Children(string nodeName) =>
        DownstreamLinks(nodeName).Select(l => l.To).ToList();

    /// <summary>The index of the link among the downstream ports of its upstream node.</summary>
    /// <exception cref="ArgumentException">The link is not one of this bench's links.</exception>
    public int DownstreamPortIndex(LinkWiring link)
    {
        var port = 0;
        foreach (var candidate in Links)
        {
            if (candidate == link)
            {
                return port;
            }

            if (candidate.From == link.From)
            {
                port++;
            }
        }

        throw new ArgumentException($"Link {link.From} -> {link.To} is not part of bench '{Name}'.", nameof(link));
    }

    /// <summary>Node names from the module down to the chip, both included.</summary>
    public IReadOnlyList<string> PathFromModule(string chipName)
    {
        var path = new List<string> { chipName };
        var node = chipName;
        while (node != ModuleWiring.Name)
        {
            node = Parent(node);
            path.Add(node);
            if (path.Count > Chips.Count + 1)
            {
                throw new InvalidOperationException($"The links of bench '{Name}' form a cycle through '{chipName}'.");
            }
        }

        path.Reverse();
        return path;
    }

    /// <summary>
    /// Every chip after all of its descendants (a post-order walk from the module, children in
    /// link order), so the farthest chips come first: for module -> chip1 -> chip2 -> chip3 it is
    /// chip3, chip2, chip1. This is the protocol's default upgrade order: a chip is only put to
    /// sleep once nothing below it still needs traffic forwarded.
    /// </summary>
    public IReadOnlyList<string> FarToNearOrder()
    {
        var order = new List<string>(Chips.Count);
        var visited = new HashSet<string>();
        Visit(ModuleWiring.Name);
        return order;

        void Visit(string node)
        {
            foreach (var child in Children(node))
            {
                if (visited.Add(child))
                {
                    Visit(child);
                    order.Add(child);
                }
            }
        }
    }

    private void RequireNode(string nodeName)
    {
        if (nodeName != ModuleWiring.Name && Chips.All(c => c.Name != nodeName))
        {
            throw new ArgumentException($"Bench '{Name}' has no node '{nodeName}'.", nameof(nodeName));
        }
    }
}
