namespace HilRig.Bench.Module;

/// <summary>
/// Defects the emulated WiFi module can be started with (`hilrig bench module --defect`, `hilrig run --defect
/// module:name`), so the scenarios can prove they catch a module that gets docs/cloud.md or docs/protocol.md §7 wrong.
/// </summary>
[Flags]
public enum ModuleDefect
{
    /// <summary>The reference behaviour.</summary>
    None = 0,
    /// <summary>An OTA instruction from a vendor server's own OTA unit is obeyed like the target server's (docs/cloud.md §3.4).</summary>
    ObeyVendorOta = 1,
    /// <summary>An interrupted download starts over from byte 0 instead of resuming with Range (docs/cloud.md §2.5).</summary>
    DownloadFromZero = 2,
    /// <summary>A downloaded image is used without checking its SHA-256 (docs/cloud.md §2.5, §4.3).</summary>
    SkipDigestCheck = 4,
    /// <summary>After connecting with a pending provisioning (flag 1) the module never writes flag 0 (docs/cloud.md §4.1).</summary>
    ForgetProvisioned = 8,
    /// <summary>
    /// An anti-rollback check the design does not have: an OTA instruction to a version older than the running one is
    /// ignored, so the target server cannot roll back a bad release (docs/cloud.md §2.1, §4.3).
    /// </summary>
    RefuseOlderVersion = 16,
    /// <summary>
    /// A device acting as proxy for others of a draining access node hands every device the first address of the master
    /// gateway's batch answer instead of its own (docs/cloud.md §5.3). The module's gateway code is what the rig's virtual
    /// gateway devices run: the scenarios' proxy device takes this defect (the module itself never acts as proxy on a bench).
    /// </summary>
    ProxyHandsEveryoneTheFirstAddress = 32,
    /// <summary>
    /// The chain side streams the image as soon as the target's own START answer is in, without waiting for every chip's
    /// (docs/protocol.md §7.2: the module sends no DATA until every chip of the topology answered START).
    /// </summary>
    DataBeforeStartAnswers = 64,
    /// <summary>
    /// A retry of a failed campaign starts over from the first chip of its order, PREPARE included, instead of at the chip
    /// that failed (docs/protocol.md §11.1: the chips already upgraded are not touched again).
    /// </summary>
    RetryRestartsEveryChip = 128,
    /// <summary>
    /// The device body's commands (set-power, set-mode) are answered by the module itself, as before protocol 1.2, instead
    /// of being handed to the device's processor with CONTROL (docs/protocol.md §7.7, docs/cloud.md §3.5): the vendor is
    /// told "power off" while the device body never heard of it.
    /// </summary>
    AnswerBodyCommandsItself = 256,
}

/// <summary>Parses module defect names (kebab case, e.g. obey-vendor-ota).</summary>
public static class ModuleDefects
{
    /// <summary>The kebab-case name of each defect.</summary>
    public static IReadOnlyDictionary<string, ModuleDefect> ByName => DefectNames<ModuleDefect>.ByName;

    /// <summary>Parses names into flags; returns the unknown name's message on failure.</summary>
    public static ModuleDefect Parse(IEnumerable<string> names, out string? error) => DefectNames<ModuleDefect>.Parse(names, "module defect", out error);
}
