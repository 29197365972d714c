namespace HilRig.Core.Bench;

/// <summary>Per-run settings of a bench: where its artifacts go and optional overrides.</summary>
public sealed record BenchOptions(string ArtifactsDirectory)
{
    /// <summary>Overrides every link's baud rate (benchmarks), when set.</summary>
    public int? BaudRateOverride { get; init; }

    /// <summary>Overrides every chip's image slot size, when set.</summary>
    public int? SlotSizeOverrideBytes { get; init; }

    /// <summary>Firmware defects to start emulated chips with, by chip name (defect names as `hilrig bench chip --defect` takes them).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ChipDefects { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>How long a node may take to answer its first STATUS after power-on.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
