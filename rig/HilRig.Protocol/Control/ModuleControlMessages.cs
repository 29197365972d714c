using System.Text.Json;
using System.Text.Json.Serialization;

namespace HilRig.Protocol.Control;

/// <summary>
/// A multi-chip campaign as the server hands it to the comm module: which image goes to which chip
/// model id, and the order (model ids, first upgraded first).
/// </summary>
public sealed record CampaignRequest(
    uint CampaignId,
    IReadOnlyList<byte> Order,
    IReadOnlyDictionary<string, string> Images,
    int ChunkBytes = CampaignRequest.DefaultChunkBytes,
    int WindowBytes = CampaignRequest.DefaultWindowBytes)
{
    /// <summary>DATA bytes per frame by default (docs/protocol.md §7.3).</summary>
    public const int DefaultChunkBytes = 512;

    /// <summary>Unacknowledged bytes allowed in flight by default (docs/protocol.md §7.3).</summary>
    public const int DefaultWindowBytes = 16 * 1024;

    /// <summary>Smallest window: two 4 KiB sectors, since the persisted offset advances a sector at a time (docs/protocol.md §7.3).</summary>
    public const int MinWindowBytes = 8 * 1024;

    /// <summary>Null when the campaign can run, else what is wrong with it.</summary>
    public string? Validate()
    {
        if (Order.Count == 0) return "the order names no chip";
        if (ChunkBytes < 1 || ChunkBytes > Framing.Frame.MaxPayloadSizeBytes - Messages.DataPayload.OverheadBytes)
            return $"chunk of {ChunkBytes} bytes is outside 1..{Framing.Frame.MaxPayloadSizeBytes - Messages.DataPayload.OverheadBytes}";
        if (WindowBytes < MinWindowBytes || WindowBytes < ChunkBytes)
            return $"window of {WindowBytes} bytes is below {MinWindowBytes} bytes or one chunk";
        var missing = Order.Where(c => !Images.ContainsKey(c.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        return missing.Count > 0 ? $"no image for chip(s) {string.Join(", ", missing.Select(c => $"0x{c:X2}"))}" : null;
    }

    /// <summary>The image path for a model id.</summary>
    public string ImageFor(byte modelId) =>
        Images.TryGetValue(modelId.ToString(System.Globalization.CultureInfo.InvariantCulture), out var path)
            ? path
            : throw new InvalidOperationException($"campaign {CampaignId} has no image for chip 0x{modelId:X2}");
}

/// <summary>Something the module reports to the server side (one JSON line on its control channel).</summary>
public sealed record ModuleEvent(string Event)
{
    /// <summary>Chip model id the event is about.</summary>
    public byte? Chip { get; init; }
    /// <summary>Human-readable detail (reasons, versions).</summary>
    public string? Detail { get; init; }
    /// <summary>Byte offset (resume point or progress).</summary>
    public long? Offset { get; init; }
    /// <summary>Image size.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>Bytes sent for this chip in total (re-sends included).</summary>
    public long? BytesSent { get; init; }
    /// <summary>Chips reported by PREPARE_ACK, as "id:parent:mode:version".</summary>
    public IReadOnlyList<string>? Chips { get; init; }
}

/// <summary>The control channel's line format: one JSON object per line.</summary>
public static class ControlJson
{
    /// <summary>Serializer options shared by both ends.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
