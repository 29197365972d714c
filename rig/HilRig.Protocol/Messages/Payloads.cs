namespace HilRig.Protocol.Messages;

/// <summary>Answer codes of PREPARE_ACK (docs/protocol.md §5.2).</summary>
public enum PrepareStatus : byte
{
    /// <summary>Every chip in the subtree may be upgraded.</summary>
    Ready = 0,
    /// <summary>The device body is operating on the reporting chip.</summary>
    RefusedOperating = 1,
    /// <summary>The reporting chip is already in another campaign's upgrade.</summary>
    RefusedBusy = 2,
    /// <summary>A downstream port of the reporting chip gave no answer in time.</summary>
    DownstreamSilent = 3,
}

/// <summary>Answer codes of START_ACK (docs/protocol.md §5.4).</summary>
public enum StartStatus : byte
{
    /// <summary>Mode entered as reported.</summary>
    Ok = 0,
    /// <summary>The image header names another model id.</summary>
    WrongModel = 1,
    /// <summary>The image does not fit the inactive slot.</summary>
    ImageTooLarge = 2,
    /// <summary>The image header fails its CRC or magic.</summary>
    BadHeader = 3,
    /// <summary>This chip already activated this image in this campaign; COMPLETE follows.</summary>
    AlreadyUpgraded = 4,
    /// <summary>
    /// Only in a START_ACK's collection status (protocol 1.1): a downstream port of the reporting chip gave no START_ACK
    /// within the START's budget, so the answers of the chips behind it are missing.
    /// </summary>
    DownstreamSilent = 5,
}

/// <summary>Answer codes of DATA_ACK (docs/protocol.md §5.6).</summary>
public enum DataStatus : byte
{
    /// <summary>Accepted (or a duplicate of persisted data).</summary>
    Ok = 0,
    /// <summary>The offset is beyond the next expected byte; resend from Next.</summary>
    OutOfOrder = 1,
    /// <summary>A flash operation failed.</summary>
    FlashError = 2,
    /// <summary>This chip is not in upgrade mode.</summary>
    NotTarget = 3,
}

/// <summary>Result codes of COMPLETE (docs/protocol.md §5.7).</summary>
public enum CompleteStatus : byte
{
    /// <summary>The new image is verified and active.</summary>
    Activated = 0,
    /// <summary>The received image's SHA-256 differs from its header; the old image stays active.</summary>
    DigestMismatch = 1,
    /// <summary>The received header is invalid; the old image stays active.</summary>
    BadHeader = 2,
}

/// <summary>PREPARE: campaign id u32, answer budget in ms u16.</summary>
public sealed record PreparePayload(uint CampaignId, ushort BudgetMs)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(CampaignId).U16(BudgetMs).ToArray();

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static PreparePayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new PreparePayload(r.U32("campaign id"), r.U16("budget ms"));
        r.End("PREPARE");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>One chip of a subtree as reported in PREPARE_ACK: model id, parent id, mode, version.</summary>
public sealed record TopologyEntry(byte ModelId, byte ParentId, ChipMode Mode, FirmwareVersion Version)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 7;
}

/// <summary>PREPARE_ACK: campaign u32, status u8, reporting chip u8, count u8, count × topology entry.</summary>
public sealed record PrepareAckPayload(uint CampaignId, PrepareStatus Status, byte ReportingChip, IReadOnlyList<TopologyEntry> Chips)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var w = new PayloadWriter().U32(CampaignId).U8((byte)Status).U8(ReportingChip).U8((byte)Chips.Count);
        foreach (var c in Chips)
        {
            w.U8(c.ModelId).U8(c.ParentId).U8((byte)c.Mode).Version(c.Version);
        }
        return w.ToArray();
    }

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static PrepareAckPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var campaign = r.U32("campaign id");
        var status = (PrepareStatus)r.U8("status");
        var reporting = r.U8("reporting chip");
        var count = r.U8("chip count");
        var chips = new List<TopologyEntry>();
        for (var i = 0; i < count && r.Error is null; i++)
        {
            chips.Add(new TopologyEntry(r.U8("model id"), r.U8("parent id"), (ChipMode)r.U8("mode"), r.Version("version")));
        }
        r.End("PREPARE_ACK");
        error = r.Error;
        return error is null ? new PrepareAckPayload(campaign, status, reporting, chips) : null;
    }
}

/// <summary>
/// START: campaign u32, target model id u8, the image's 64-byte header, budget u16 (protocol 1.1: the ms the receiver
/// may take before its aggregated START_ACK must leave; a 1.0 START of 69 bytes has none and gets <see cref="DefaultBudgetMs"/>).
/// </summary>
public sealed record StartPayload(uint CampaignId, byte Target, byte[] ImageHeader, ushort BudgetMs = StartPayload.DefaultBudgetMs)
{
    /// <summary>Budget the module hands chip 1 (docs/protocol.md §7.2), also assumed for a 1.0 START without one.</summary>
    public const ushort DefaultBudgetMs = 800;

    /// <summary>Size of a 1.0 START (no budget).</summary>
    public const int V10SizeBytes = 69;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(CampaignId).U8(Target).Bytes(ImageHeader).U16(BudgetMs).ToArray();

    /// <summary>Decodes (71 bytes, or the 69 of protocol 1.0), or returns null with a reason.</summary>
    public static StartPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var campaign = r.U32("campaign id");
        var target = r.U8("target");
        var header = r.Bytes(Images.ImageHeader.SizeBytes, "image header");
        var budget = data.Length == V10SizeBytes ? DefaultBudgetMs : r.U16("budget ms");
        r.End("START");
        error = r.Error;
        return error is null ? new StartPayload(campaign, target, header, budget) : null;
    }
}

/// <summary>One chip's START answer as carried in an aggregated START_ACK: chip u8, mode u8, resume u32, status u8.</summary>
public sealed record StartAnswer(byte Chip, ChipMode Mode, uint ResumeOffset, StartStatus Status)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 7;
}

/// <summary>
/// START_ACK (protocol 1.1, docs/protocol.md §5.4): the answering chip's own answer (campaign u32, chip u8, mode u8,
/// resume u32, status u8: the whole 1.0 START_ACK), then the collection of the answers of the chips below it, as
/// PREPARE_ACK collects: collection status u8 (<see cref="StartStatus.Ok"/> or <see cref="StartStatus.DownstreamSilent"/>),
/// reporting chip u8, count u8, count × <see cref="StartAnswer"/>. An 11-byte 1.0 START_ACK decodes with none below.
/// </summary>
public sealed record StartAckPayload(uint CampaignId, byte Chip, ChipMode Mode, uint ResumeOffset, StartStatus Status)
{
    /// <summary>Size of a 1.0 START_ACK (no collection).</summary>
    public const int V10SizeBytes = 11;

    /// <summary><see cref="StartStatus.Ok"/> when every downstream port answered, else the first non-OK status collected.</summary>
    public StartStatus Collection { get; init; } = StartStatus.Ok;

    /// <summary>The chip the collection status is about (0: the answering chip itself).</summary>
    public byte ReportingChip { get; init; }

    /// <summary>The answers collected from the chips below, as they came up.</summary>
    public IReadOnlyList<StartAnswer> Below { get; init; } = [];

    /// <summary>Every answer the frame carries: the answering chip's own first, then those from below.</summary>
    public IReadOnlyList<StartAnswer> Answers => [new StartAnswer(Chip, Mode, ResumeOffset, Status), .. Below];

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var w = new PayloadWriter().U32(CampaignId).U8(Chip).U8((byte)Mode).U32(ResumeOffset).U8((byte)Status)
            .U8((byte)Collection).U8(ReportingChip == 0 ? Chip : ReportingChip).U8((byte)Below.Count);
        foreach (var a in Below)
        {
            w.U8(a.Chip).U8((byte)a.Mode).U32(a.ResumeOffset).U8((byte)a.Status);
        }
        return w.ToArray();
    }

    /// <summary>Decodes (14 + 7·n bytes, or the 11 of protocol 1.0), or returns null with a reason.</summary>
    public static StartAckPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new StartAckPayload(r.U32("campaign id"), r.U8("chip"), (ChipMode)r.U8("mode"), r.U32("resume offset"), (StartStatus)r.U8("status"));
        if (data.Length != V10SizeBytes)
        {
            var collection = (StartStatus)r.U8("collection status");
            var reporting = r.U8("reporting chip");
            var count = r.U8("answer count");
            var below = new List<StartAnswer>();
            for (var i = 0; i < count && r.Error is null; i++)
            {
                below.Add(new StartAnswer(r.U8("chip"), (ChipMode)r.U8("mode"), r.U32("resume offset"), (StartStatus)r.U8("status")));
            }
            p = p with { Collection = collection, ReportingChip = reporting == p.Chip ? (byte)0 : reporting, Below = below };
        }
        r.End("START_ACK");
        error = r.Error;
        return error is null ? p : null;
    }

    /// <summary>Equal when every field, the answers from below included, is equal.</summary>
    public bool Equals(StartAckPayload? other) =>
        other is not null && CampaignId == other.CampaignId && Chip == other.Chip && Mode == other.Mode && ResumeOffset == other.ResumeOffset
        && Status == other.Status && Collection == other.Collection && ReportingChip == other.ReportingChip && Below.SequenceEqual(other.Below);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(CampaignId, Chip, Mode, ResumeOffset, Status, Collection, ReportingChip, Below.Count);
}

/// <summary>DATA: image offset u32, then the bytes.</summary>
public sealed record DataPayload(uint Offset, byte[] Bytes)
{
    /// <summary>Bytes of the payload before the data.</summary>
    public const int OverheadBytes = 4;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(Offset).Bytes(Bytes).ToArray();

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static DataPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new DataPayload(r.U32("offset"), r.Rest());
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>
/// DATA_ACK: persisted offset u32, next expected offset u32, status u8 (9 bytes); in protocol 1.2, after a TRANSFER_OPTIONS that
/// asked for it, also the <see cref="SelectiveAck"/> (21 bytes). A receiver tells the two forms apart by their length (§5.6).
/// </summary>
public sealed record DataAckPayload(uint Persisted, uint Next, DataStatus Status)
{
    /// <summary>Size of the 1.0/1.1 form.</summary>
    public const int ShortSizeBytes = 9;
    /// <summary>Size of the 1.2 form with the selective acknowledgement.</summary>
    public const int SelectiveSizeBytes = 21;

    /// <summary>Which frames of the window beyond <see cref="Next"/> the target holds (1.2); null in the short form.</summary>
    public SelectiveAck? Selective { get; init; }

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var w = new PayloadWriter().U32(Persisted).U32(Next).U8((byte)Status);
        if (Selective is { } s)
        {
            w.U32(s.AnsweredOffset).U64(s.Held);
        }
        return w.ToArray();
    }

    /// <summary>Decodes either form, or returns null with a reason.</summary>
    public static DataAckPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new DataAckPayload(r.U32("persisted"), r.U32("next"), (DataStatus)r.U8("status"));
        if (data.Length >= SelectiveSizeBytes)
        {
            p = p with { Selective = new SelectiveAck(r.U32("answered offset"), r.U64("held frames")) };
        }
        r.End("DATA_ACK");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>
/// The selective part of a 1.2 DATA_ACK (docs/protocol.md §5.6, §7.3.1): the offset of the DATA this acknowledgement answers, and
/// a bitmap of the frames the target holds beyond its next expected offset: bit i (bit 0 the least significant) set means it
/// holds the whole frame starting at <c>base + i·unit</c>, base being next rounded up to a multiple of the unit.
/// </summary>
public sealed record SelectiveAck(uint AnsweredOffset, ulong Held)
{
    /// <summary>Frames the bitmap covers.</summary>
    public const int Frames = 64;

    /// <summary>The first offset the bitmap describes: <paramref name="next"/> rounded up to a multiple of <paramref name="unitBytes"/>.</summary>
    public static long Base(long next, int unitBytes) => (next + unitBytes - 1) / unitBytes * unitBytes;

    /// <summary>Whether the frame starting at <paramref name="offset"/> (a multiple of the unit) is held beyond <paramref name="next"/>.</summary>
    public bool Holds(long offset, long next, int unitBytes)
    {
        var index = (offset - Base(next, unitBytes)) / unitBytes;
        return offset % unitBytes == 0 && index is >= 0 and < Frames && (Held >> (int)index & 1) != 0;
    }
}

/// <summary>Flags of TRANSFER_OPTIONS (docs/protocol.md §7.3.1).</summary>
[Flags]
public enum TransferFlags : byte
{
    /// <summary>Go-back-N as in 1.1: short DATA_ACKs.</summary>
    None = 0,
    /// <summary>The module re-sends only missing frames: answer every DATA with the 21-byte DATA_ACK.</summary>
    SelectiveAck = 1,
}

/// <summary>
/// TRANSFER_OPTIONS (0x11, protocol 1.2): campaign u32, flags u8, unit u16 (the DATA size the module sends, 1..1020). The module
/// sends it to the target after the target's START answer and after every resume; a 1.1 chip ignores it (§1, §7.3.1).
/// </summary>
public sealed record TransferOptionsPayload(uint CampaignId, TransferFlags Flags, ushort UnitBytes)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 7;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(CampaignId).U8((byte)Flags).U16(UnitBytes).ToArray();

    /// <summary>Decodes, or returns null with a reason (a unit outside 1..1020 is malformed).</summary>
    public static TransferOptionsPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new TransferOptionsPayload(r.U32("campaign id"), (TransferFlags)r.U8("flags"), r.U16("unit"));
        r.End("TRANSFER_OPTIONS");
        if (r.Error is null && p.UnitBytes is < 1 or > Framing.Frame.MaxPayloadSizeBytes - DataPayload.OverheadBytes)
        {
            r.Fail($"unit of {p.UnitBytes} bytes is outside 1..{Framing.Frame.MaxPayloadSizeBytes - DataPayload.OverheadBytes}");
        }
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>COMPLETE: campaign u32, chip u8, status u8, active version after it (4 bytes).</summary>
public sealed record CompletePayload(uint CampaignId, byte Chip, CompleteStatus Status, FirmwareVersion ActiveVersion)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(CampaignId).U8(Chip).U8((byte)Status).Version(ActiveVersion).ToArray();

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static CompletePayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new CompletePayload(r.U32("campaign id"), r.U8("chip"), (CompleteStatus)r.U8("status"), r.Version("active version"));
        r.End("COMPLETE");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>
/// STATUS_RSP: mode u8, active slot u8, active version (4), upgrade state u8, operating u8,
/// campaign u32, persisted offset u32, image size u32, SHA-256 of the active image's body as the chip
/// computed it from flash (32 bytes; all zero when the active slot holds no valid image): 52 bytes.
/// </summary>
public sealed record StatusPayload(
    ChipMode Mode, byte ActiveSlot, FirmwareVersion ActiveVersion, UpgradeState State, bool Operating,
    uint CampaignId, uint PersistedOffset, uint ImageSizeBytes, byte[] ActiveDigest)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 52;

    /// <summary>The active digest as lowercase hex.</summary>
    public string ActiveDigestHex => Convert.ToHexStringLower(ActiveDigest);

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter()
        .U8((byte)Mode).U8(ActiveSlot).Version(ActiveVersion).U8((byte)State).U8(Operating ? (byte)1 : (byte)0)
        .U32(CampaignId).U32(PersistedOffset).U32(ImageSizeBytes).Bytes(ActiveDigest.AsSpan(0, 32)).ToArray();

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static StatusPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new StatusPayload((ChipMode)r.U8("mode"), r.U8("active slot"), r.Version("active version"),
            (UpgradeState)r.U8("upgrade state"), r.U8("operating") != 0, r.U32("campaign id"),
            r.U32("persisted offset"), r.U32("image size"), r.Bytes(32, "active digest"));
        r.End("STATUS_RSP");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>BENCH_SET_OPERATING: operating u8 (0 or 1). Answered with STATUS_RSP.</summary>
public sealed record BenchSetOperatingPayload(bool Operating)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => [Operating ? (byte)1 : (byte)0];

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static BenchSetOperatingPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new BenchSetOperatingPayload(r.U8("operating") != 0);
        r.End("BENCH_SET_OPERATING");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>
/// PROVISION: three length-prefixed UTF-8 strings (u8 length, bytes): SSID (1..32 bytes), passphrase
/// (0..63 bytes), server id (1..32 bytes). Sent by the device's processor to the comm module (§5.10).
/// </summary>
public sealed record ProvisionPayload(string Ssid, string Passphrase, string ServerId)
{
    /// <summary>Longest SSID in bytes (IEEE 802.11).</summary>
    public const int MaxSsidBytes = 32;
    /// <summary>Longest passphrase in bytes (WPA2 passphrase).</summary>
    public const int MaxPassphraseBytes = 63;
    /// <summary>Longest server id in bytes.</summary>
    public const int MaxServerIdBytes = 32;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => LengthPrefixed.Encode((Ssid, MaxSsidBytes), (Passphrase, MaxPassphraseBytes), (ServerId, MaxServerIdBytes));

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static ProvisionPayload? TryDecode(ReadOnlySpan<byte> data, out string? error) =>
        LengthPrefixed.TryDecodeThree(data, "PROVISION", ("SSID", 1, MaxSsidBytes), ("passphrase", 0, MaxPassphraseBytes), ("server id", 1, MaxServerIdBytes),
            (ssid, passphrase, server) => new ProvisionPayload(ssid, passphrase, server), out error);
}

/// <summary>Answer codes of PROVISION_ACK (docs/protocol.md §5.11).</summary>
public enum ProvisionStatus : byte
{
    /// <summary>Stored as pending provisioning (network-config flag 1); the module joins and connects.</summary>
    Accepted = 0,
    /// <summary>The server id is not in the module's access config table; nothing was stored.</summary>
    UnknownServer = 1,
}

/// <summary>PROVISION_ACK: status u8.</summary>
public sealed record ProvisionAckPayload(ProvisionStatus Status)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => [(byte)Status];

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static ProvisionAckPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new ProvisionAckPayload((ProvisionStatus)r.U8("status"));
        r.End("PROVISION_ACK");
        error = r.Error;
        return error is null ? p : null;
    }
}
