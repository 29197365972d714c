namespace HilRig.Bench.Chip;

/// <summary>
/// Firmware defects the emulated chip can be started with, so the scenario catalogue can prove it
/// catches them. Names on the command line are the kebab-case forms (e.g. pass-through-drops-frames).
/// </summary>
[Flags]
public enum ChipDefect
{
    /// <summary>The reference behaviour.</summary>
    None = 0,
    /// <summary>In pass-through mode every fifth forwarded frame is silently dropped.</summary>
    PassThroughDropsFrames = 1,
}

/// <summary>Parses defect names.</summary>
public static class ChipDefects
{
    /// <summary>The kebab-case name of each defect.</summary>
    public static IReadOnlyDictionary<string, ChipDefect> ByName { get; } = Enum.GetValues<ChipDefect>()
        .Where(d => d != ChipDefect.None)
        .ToDictionary(d => string.Concat(d.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())), d => d);

    /// <summary>Parses names into flags; returns the unknown name's message on failure.</summary>
    public static ChipDefect Parse(IEnumerable<string> names, out string? error)
    {
        var result = ChipDefect.None;
        foreach (var name in names)
        {
            if (!ByName.TryGetValue(name, out var defect))
            {
                error = $"unknown chip defect '{name}' (known: {string.Join(", ", ByName.Keys)})";
                return ChipDefect.None;
            }
            result |= defect;
        }
        error = null;
        return result;
    }
}
