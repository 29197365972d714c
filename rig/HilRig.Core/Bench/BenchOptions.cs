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

    /// <summary>Starts the bench's emulated servers and the module's WiFi side when the wiring has a network section (default true).</summary>
    public bool StartCloud { get; init; } = true;

    /// <summary>
    /// The network config record the module's flash starts with (docs/cloud.md §4.1); null from the function
    /// means no record at all. Unset: configured (flag 0) for the first vendor server on the bench's access point.
    /// </summary>
    public Func<Wiring.NetworkWiring, Protocol.Cloud.NetworkConfig?>? ModuleNetwork { get; init; }

    /// <summary>
    /// Where the bench CA lives for a bench with <c>network: tls: true</c> (docs/cloud.md §6); null: the bench's default
    /// directory (<see cref="global::HilRig.Servers.Tls.BenchCertificateAuthority.DefaultDirectory"/>). Created there when absent.
    /// </summary>
    public string? CertificateAuthorityDirectory { get; init; }

    /// <summary>
    /// The CA certificate (PEM) the emulated module's firmware trusts instead of the bench CA (to prove it refuses a
    /// server it cannot verify); null: the bench CA.
    /// </summary>
    public string? ModuleTrustedCaPem { get; init; }

    /// <summary>
    /// Changes the factory record the emulated module's flash is programmed with (an access config table entry added,
    /// removed or blanked, docs/cloud.md §4.1); null: the bench's own record.
    /// </summary>
    public Func<Protocol.Cloud.ModuleFactoryConfig, Protocol.Cloud.ModuleFactoryConfig>? ModuleFactory { get; init; }

    /// <summary>Where a hardware bench's GPIO chips, I2C buses and serial adapters come from (the real devices unless a test swaps them).</summary>
    public HardwareBackends Backends { get; init; } = new();

    /// <summary>How long a node may take to answer its first STATUS after power-on.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
