namespace HilRig.Protocol.Cloud;

// The records of the WiFi module's flash (docs/cloud.md §4.1), one JSON file each. The factory (on a
// virtual bench: the rig) writes them before the first power-on; the module reads and updates them.

/// <summary>Host, port and device secret of one server, as preset in the module's access config table.</summary>
public sealed record AccessConfig(string Host, int Port, string Secret)
{
    /// <summary>True: MQTT over TLS, the server checked against <see cref="ModuleFactoryConfig.TrustedCaPem"/> (docs/cloud.md §6).</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// True when the config can be dialled: a host and a port from 1 to 65535. A network config whose server id has no
    /// usable access config leaves the module waiting for the processor's PROVISION (docs/cloud.md §4.1).
    /// </summary>
    public bool IsUsable() => !string.IsNullOrWhiteSpace(Host) && Port is >= 1 and <= 65535;

    /// <summary>
    /// True when <paramref name="other"/> reaches the same server: the same host (case-insensitive, as DNS names are) and
    /// port. The module recognises the target server this way, not by server id (docs/cloud.md §4.2).
    /// </summary>
    public bool IsSameServerAs(AccessConfig other) =>
        string.Equals(Host.TrimEnd('.'), other.Host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) && Port == other.Port;
}

/// <summary>
/// What the factory writes into the module's flash: its device id and product, which server id is the
/// target OTA server, and the access config table (server id → access config) (docs/cloud.md §1, §4.1).
/// </summary>
public sealed record ModuleFactoryConfig(string DeviceId, string Product, string TargetServerId, IReadOnlyDictionary<string, AccessConfig> Access)
{
    /// <summary>The gateway cluster the device's vendor backend is reached through (docs/cloud.md §5), when it has one.</summary>
    public GatewayAccess? Gateway { get; init; }

    /// <summary>
    /// The CA certificate (PEM) the firmware's test build trusts for TLS servers (the bench CA, docs/cloud.md §6); the
    /// module accepts no other CA and none of the machine's. Null: a build without TLS.
    /// </summary>
    public string? TrustedCaPem { get; init; }
}

/// <summary>Where the device master gateway answers (an HTTP base URL) and which logical node the device belongs to.</summary>
public sealed record GatewayAccess(string MasterUrl, string LogicalNode)
{
    /// <summary>The device's MQTT password on the access nodes (the cluster generates it when the device is registered); null: none.</summary>
    public string? Secret { get; init; }
}

/// <summary>The network config record: flag 1 = pending provisioning, 0 = configured (docs/cloud.md §4.1).</summary>
public sealed record NetworkConfig(int Flag, string Ssid, string Passphrase, string ServerId);

/// <summary>The module's own A/B firmware slots: which is active, and the version each holds (null: empty).</summary>
public sealed record ModuleSlots(string Active, string? SlotA, string? SlotB)
{
    /// <summary>The version running.</summary>
    public string RunningVersion => (Active == "A" ? SlotA : SlotB) ?? "0.0.0";

    /// <summary>The slot an upgrade is written to.</summary>
    public string Inactive => Active == "A" ? "B" : "A";
}

/// <summary>An access point in range of the emulated module.</summary>
/// <param name="Ssid">Its SSID.</param>
/// <param name="Passphrase">Its WPA2 passphrase.</param>
/// <param name="Refused">True while it refuses the module's association (it beacons, but every join is refused).</param>
public sealed record AccessPoint(string Ssid, string Passphrase, bool Refused = false);

/// <summary>What the emulated module's radio can hear (the air file the rig writes).</summary>
public sealed record Air(IReadOnlyList<AccessPoint> AccessPoints);

/// <summary>File names of the module's flash records (docs/cloud.md §4.1).</summary>
public static class ModuleFlashFiles
{
    /// <summary>The factory record (<see cref="ModuleFactoryConfig"/>).</summary>
    public const string Factory = "factory.json";
    /// <summary>The network config (<see cref="NetworkConfig"/>); absent until provisioned.</summary>
    public const string Network = "netcfg.json";
    /// <summary>The A/B slot record (<see cref="ModuleSlots"/>).</summary>
    public const string Slots = "firmware.json";
    /// <summary>The image in slot A.</summary>
    public const string SlotA = "slot-a.hrim";
    /// <summary>The image in slot B.</summary>
    public const string SlotB = "slot-b.hrim";
}

/// <summary>What the factory writes into a new module's flash, as file name → bytes (the caller writes the files).</summary>
public static class ModuleFlashImage
{
    /// <summary>
    /// The factory record, slot A holding <paramref name="factoryImage"/> (version <paramref name="factoryVersion"/>)
    /// and, when given, a network config record.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> Build(ModuleFactoryConfig factory, string factoryVersion, byte[] factoryImage, NetworkConfig? network)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [ModuleFlashFiles.Factory] = CloudJson.Encode(factory),
            [ModuleFlashFiles.SlotA] = factoryImage,
            [ModuleFlashFiles.Slots] = CloudJson.Encode(new ModuleSlots("A", factoryVersion, null)),
        };
        if (network is not null)
        {
            files[ModuleFlashFiles.Network] = CloudJson.Encode(network);
        }
        return files;
    }
}
