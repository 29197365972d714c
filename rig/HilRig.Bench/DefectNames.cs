namespace HilRig.Bench;

/// <summary>
/// The kebab-case names of a defect flags enum (<c>PassThroughDropsFrames</c> is <c>pass-through-drops-frames</c>), as
/// the command line and the wiring files spell them, and their parsing: one table for the chip's and the module's defects.
/// </summary>
public static class DefectNames<TDefect> where TDefect : struct, Enum
{
    /// <summary>The kebab-case name of each defect (None has none).</summary>
    public static IReadOnlyDictionary<string, TDefect> ByName { get; } = Enum.GetValues<TDefect>()
        .Where(d => Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) != 0)
        .ToDictionary(d => string.Concat(d.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())), d => d);

    /// <summary>Parses names into flags; on an unknown name returns none and a message naming it, <paramref name="what"/> and the known names.</summary>
    public static TDefect Parse(IEnumerable<string> names, string what, out string? error)
    {
        long bits = 0;
        foreach (var name in names)
        {
            if (!ByName.TryGetValue(name, out var defect))
            {
                error = $"unknown {what} '{name}' (known: {string.Join(", ", ByName.Keys)})";
                return default;
            }
            bits |= Convert.ToInt64(defect, System.Globalization.CultureInfo.InvariantCulture);
        }
        error = null;
        return (TDefect)Enum.ToObject(typeof(TDefect), bits);
    }
}
