namespace HilRig.Core.Bench;

/// <summary>Per-run settings of a bench: where its artifacts go and optional overrides.</summary>
public sealed record BenchOptions(string ArtifactsDirectory)
{
    /// <summary>Overrides every link's baud rate (benchmarks), when set.</summary>
    public int? BaudRateOverride { get; init; }

    /// <summary>Overrides every chip's image slot size, when set.</summary>
    public int? SlotSizeOverrideBytes { get; init; }

    /// <summary>How long a node may take to answer its first STATUS after power-on.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
