using System.Text.Json;
using System.Text.Json.Serialization;

namespace HilRig.Protocol.Cloud;

/// <summary>JSON of every cloud message (camelCase, nulls left out), shared by the servers and the module.</summary>
public static class CloudJson
{
    /// <summary>Serializer options shared by both ends.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serializes to UTF-8 JSON.</summary>
    public static byte[] Encode<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <summary>Parses UTF-8 JSON; null and a reason when it is not a <typeparamref name="T"/>.</summary>
    public static T? TryDecode<T>(ReadOnlySpan<byte> json, out string? error) where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, Options);
            error = value is null ? "empty message (null)" : null;
            return value;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
    }
}

/// <summary>The WiFi module's own firmware as it reports it.</summary>
/// <param name="Version">Running version, "major.minor.patch".</param>
/// <param name="Slot">Slot it runs from, "A" or "B".</param>
public sealed record ModuleFirmware(string Version, string Slot);

/// <summary>One chip as the module last learned it (from PREPARE_ACK).</summary>
public sealed record ChipVersion(byte ModelId, string Version);

/// <summary>Device → target server after every connect (docs/cloud.md §2.1).</summary>
/// <param name="DeviceId">The device id (also the MQTT client id and user name).</param>
/// <param name="Product">Product name; the target server keeps one chip upgrade order per product.</param>
/// <param name="Module">The module's running firmware.</param>
/// <param name="VendorServerId">The vendor server id the device was provisioned with.</param>
/// <param name="Chips">Chip versions, when the module knows them.</param>
/// <param name="Reason">Why it reports: "connect", "rebooted", "upgrade-failed".</param>
public sealed record DeviceReport(string DeviceId, string Product, ModuleFirmware Module, string VendorServerId, IReadOnlyList<ChipVersion>? Chips = null, string Reason = "connect");

/// <summary>An instruction to upgrade the module itself (docs/cloud.md §2.2).</summary>
/// <param name="InstructionId">Id, echoed in the device's events.</param>
/// <param name="Version">The version to install.</param>
/// <param name="Url">HTTP URL of the image (an HRIM file for model <see cref="ModuleModelId"/>).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole file.</param>
/// <param name="SizeBytes">Size of the whole file.</param>
/// <param name="Issuer">Who sent it ("target" or a vendor server id); the module acts only on the target's.</param>
public sealed record OtaInstruction(string InstructionId, string Version, string Url, string Sha256, long SizeBytes, string Issuer = "target")
{
    /// <summary>The image model id of the WiFi module's own firmware.</summary>
    public const byte ModuleModelId = 0x01;
}

/// <summary>
/// Target server → device: prepare a chip campaign (docs/cloud.md §2.3). The module sends PREPARE down the chain
/// and relays the answer as a "prepared" or "prepare-refused" event carrying the chips and their versions; the
/// server then sends the <see cref="CampaignInstruction"/> with the same campaign id.
/// </summary>
public sealed record PrepareInstruction(uint CampaignId);

/// <summary>One image of a chip campaign.</summary>
public sealed record CampaignImage(byte ModelId, string Version, string Url, string Sha256, long SizeBytes);

/// <summary>Target server → device: upgrade these chips in this order (docs/cloud.md §2.3).</summary>
/// <param name="CampaignId">Campaign id (also the PREPARE campaign id on the chain).</param>
/// <param name="Order">Model ids, first upgraded first.</param>
/// <param name="Images">One image per chip of the order.</param>
/// <param name="Attempt">Absent for the first run; 2, 3, ... when the server retries the campaign after it failed on a chip
/// (the same id, order and images), docs/cloud.md §2.3 "Retry".</param>
/// <param name="ResumeAt">With <paramref name="Attempt"/>: the chip the campaign failed on, where the retry starts; the chips
/// before it in the order completed and are not touched again.</param>
public sealed record CampaignInstruction(uint CampaignId, IReadOnlyList<byte> Order, IReadOnlyList<CampaignImage> Images, int? Attempt = null, byte? ResumeAt = null);

/// <summary>Device → target server: what happened (docs/cloud.md §2.4).</summary>
/// <param name="Event">
/// "download-progress", "download-failed", "module-upgrading", "module-upgraded", "module-upgrade-failed",
/// "ota-ignored", or a chain event relayed as the module reports it ("prepared", "prepare-refused",
/// "order-refused", "chip-start", "progress", "chip-complete", "campaign-complete", "campaign-failed", "campaign-retry");
/// "campaign-ignored", "campaign-refused", and "retry-refused" for a retry the module cannot resume.
/// </param>
public sealed record DeviceEvent(string Event)
{
    /// <summary>Campaign the event belongs to.</summary>
    public uint? CampaignId { get; init; }
    /// <summary>Module instruction the event belongs to.</summary>
    public string? InstructionId { get; init; }
    /// <summary>Chip model id.</summary>
    public byte? Chip { get; init; }
    /// <summary>Human-readable detail.</summary>
    public string? Detail { get; init; }
    /// <summary>Bytes done.</summary>
    public long? Offset { get; init; }
    /// <summary>Bytes in all.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>The chain's chips and versions ("prepared" and "prepare-refused").</summary>
    public IReadOnlyList<ChipVersion>? Chips { get; init; }
}

/// <summary>Vendor backend → device (docs/cloud.md §3.1).</summary>
/// <param name="CommandId">Unique per device; a command is run at most once per id.</param>
/// <param name="Name">"ping", "get-status", "set-power" (arg "on"/"off"), "set-mode" (arg a name).</param>
/// <param name="Argument">Optional argument.</param>
public sealed record ControlCommand(string CommandId, string Name, string? Argument = null);

/// <summary>Device → vendor backend: the result of a command (docs/cloud.md §3.1).</summary>
public sealed record CommandReply(string CommandId, bool Ok, string? Result = null);

/// <summary>Device → vendor backend: periodic status (docs/cloud.md §3.2).</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="Sequence">Increases by one per report since boot.</param>
/// <param name="Module">The module's running firmware.</param>
/// <param name="Activity">"idle", "module-upgrade", "chip-upgrade".</param>
/// <param name="Power">Device body power, as the processor last reported it (BODY_STATUS, docs/protocol.md §5.14): "on" or "off" ("on" before any report).</param>
public sealed record StatusReport(string DeviceId, long Sequence, ModuleFirmware Module, string Activity, string Power)
{
    /// <summary>Whether the device body is operating, as the processor last reported it; absent before its first BODY_STATUS.</summary>
    public bool? Operating { get; init; }

    /// <summary>The device body's mode name, as the processor last reported it; absent before its first BODY_STATUS.</summary>
    public string? Mode { get; init; }
}
