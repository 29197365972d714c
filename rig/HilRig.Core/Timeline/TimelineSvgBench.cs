namespace HilRig.Core.Timeline;

/// <summary>The nodes of the bench as the timeline names them: chips by name and model id, links as "upper-lower".</summary>
internal sealed class TimelineSvgBench
{
    private readonly Dictionary<byte, string> _chipByModelId = new();
    private readonly HashSet<string> _nodes;

    public TimelineSvgBench(TimelineSvgOptions options)
    {
        ChipNames = options.Chips.Select(c => c.Name).ToList();
        ModuleName = options.ModuleName;
        foreach (var chip in options.Chips)
        {
            _chipByModelId.TryAdd(chip.ModelId, chip.Name);
        }
        _nodes = new HashSet<string>(ChipNames, StringComparer.Ordinal) { ModuleName };
    }

    public IReadOnlyList<string> ChipNames { get; }

    public string ModuleName { get; }

    public bool IsChip(string name) => _nodes.Contains(name) && name != ModuleName;

    public string? ChipName(byte? modelId) => modelId is { } id && _chipByModelId.TryGetValue(id, out var name) ? name : null;

    /// <summary>
    /// Splits a relay link name ("chip1-chip2") into its two nodes. Node names may hold '-' themselves,
    /// so every split point is tried against the known nodes rather than splitting on the first dash.
    /// </summary>
    public (string Upper, string Lower)? SplitLink(string link)
    {
        for (var i = link.IndexOf('-'); i > 0; i = link.IndexOf('-', i + 1))
        {
            var upper = link[..i];
            var lower = link[(i + 1)..];
            if (_nodes.Contains(upper) && _nodes.Contains(lower))
            {
                return (upper, lower);
            }
        }
        return null;
    }
}
