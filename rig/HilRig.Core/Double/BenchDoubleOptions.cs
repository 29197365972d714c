namespace HilRig.Core.Double;

/// <summary>How a bench double is built.</summary>
/// <param name="Directory">
/// Where the double keeps its control script (<c>bench</c>), its port file, the power log, the chips' flash and logs.
/// A wiring file for the double names its power, sensor and program commands under this folder.
/// </param>
public sealed record BenchDoubleOptions(string Directory)
{
    /// <summary>The program each chip runs, a <see cref="Wiring.CommandTemplate"/> (null: the built-in emulated chip, `hilrig bench chip`).</summary>
    public string? ChipCommand { get; init; }

    /// <summary>Firmware defects to start the built-in chips with, by chip name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ChipDefects { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The current a running chip draws while awake, in milliamps.</summary>
    public double AwakeMilliamps { get; init; } = 20;

    /// <summary>The current a running chip draws while in SLEEP (seed 002: sleep is low power), in milliamps.</summary>
    public double SleepMilliamps { get; init; } = 1.5;
}
