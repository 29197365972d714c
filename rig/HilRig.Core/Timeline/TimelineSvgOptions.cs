using HilRig.Core.Wiring;

namespace HilRig.Core.Timeline;

/// <summary>A chip lane of the timeline picture: its wiring name and the model id it answers to on the wire.</summary>
/// <param name="Name">Chip name as in the wiring file and the timeline sources ("chip2").</param>
/// <param name="ModelId">Model id the chip's frames carry (0x12).</param>
public sealed record TimelineSvgChip(string Name, byte ModelId);

/// <summary>What <see cref="TimelineSvg"/> needs to know about the bench and the picture.</summary>
/// <param name="Chips">The chips, one lane each, drawn top to bottom in this order.</param>
public sealed record TimelineSvgOptions(IReadOnlyList<TimelineSvgChip> Chips)
{
    /// <summary>Narrowest picture that still leaves room for the lanes next to their labels.</summary>
    public const double MinWidthPx = 480;

    /// <summary>Name of the comm module node in the timeline sources.</summary>
    public string ModuleName { get; init; } = ModuleWiring.Name;

    /// <summary>Heading drawn above the lanes.</summary>
    public string Title { get; init; } = "Bench timeline";

    /// <summary>Width of the whole picture in pixels (the height follows from the number of lanes).</summary>
    public double WidthPx { get; init; } = 1200;

    /// <summary>Lanes for every chip of a bench, in wiring-file order.</summary>
    public static TimelineSvgOptions FromWiring(BenchWiring wiring, string title) =>
        new(wiring.Chips.Select(c => new TimelineSvgChip(c.Name, c.ModelId)).ToList()) { Title = title };
}
