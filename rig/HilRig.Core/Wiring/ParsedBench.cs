using YamlDotNet.Core;

namespace HilRig.Core.Wiring;

/// <summary>A chip as read from the file, with the positions the cross-checks point at.</summary>
internal sealed record ParsedChip(ChipWiring Chip, int Number, Mark Start, Mark? NameMark, Mark? ModelIdMark, Mark? CommandMark)
{
    /// <summary>True when the name was given (even if malformed), so links to it are not reported as unknown.</summary>
    public bool HasName => NameMark is not null;

    public bool HasModelId => Chip.ModelId != 0;

    public string Label => HasName ? $"chip '{Chip.Name}'" : $"chip {Number}";
}

/// <summary>A link as read from the file, with the positions of its two ends.</summary>
internal sealed record ParsedLink(LinkWiring Link, int Number, Mark Start, Mark? FromMark, Mark? ToMark)
{
    public string Label => $"link {Number}";
}

/// <summary>One entry of <c>upgrade.default_order</c>.</summary>
internal sealed record ParsedOrderEntry(string Name, Mark Mark);

/// <summary>Everything read from a wiring file before the cross-checks of <see cref="WiringValidator"/>.</summary>
internal sealed class ParsedBench
{
    public string Name { get; set; } = "";

    public BenchKind? Kind { get; set; }

    public ModuleWiring Module { get; set; } = new(new VirtualPower());

    public Mark? ModuleCommandMark { get; set; }

    public List<ParsedChip> Chips { get; } = [];

    public List<ParsedLink> Links { get; } = [];

    public List<ParsedOrderEntry>? DefaultOrder { get; set; }

    public Mark? DefaultOrderMark { get; set; }

    public NetworkWiring? Network { get; set; }
}
