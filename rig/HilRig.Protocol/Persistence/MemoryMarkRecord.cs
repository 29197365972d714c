using System.Buffers.Binary;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Persistence;

/// <summary>
/// The 64-byte memory-mark record (docs/protocol.md §9): magic "MMRK", sequence u32, mode u8,
/// active slot u8, upgrade state u8, reserved u8, campaign u32, persisted offset u32, image size u32,
/// image body SHA-256 (32), reserved (4), CRC-32 of bytes 0..59.
/// </summary>
public sealed record MemoryMarkRecord(
    uint Sequence, ChipMode Mode, byte ActiveSlot, UpgradeState State, uint CampaignId,
    uint PersistedOffset, uint ImageSizeBytes, byte[] ImageDigest)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 64;
    /// <summary>The magic "MMRK".</summary>
    public static ReadOnlySpan<byte> Magic => "MMRK"u8;

    /// <summary>The record a chip assumes when neither slot holds a valid record (factory state).</summary>
    public static MemoryMarkRecord Factory { get; } = new(0, ChipMode.Initial, 0, UpgradeState.Idle, 0, 0, 0, new byte[32]);

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var b = new byte[SizeBytes];
        Magic.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), Sequence);
        b[8] = (byte)Mode;
        b[9] = ActiveSlot;
        b[10] = (byte)State;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), CampaignId);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), PersistedOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), ImageSizeBytes);
        ImageDigest.AsSpan(0, 32).CopyTo(b.AsSpan(24));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(60), Crc32.Compute(b.AsSpan(0, 60)));
        return b;
    }

    /// <summary>Decodes a record; null when the magic or CRC is wrong (an erased or torn slot).</summary>
    public static MemoryMarkRecord? TryDecode(ReadOnlySpan<byte> data)
    {
        if (data.Length < SizeBytes || !data[..4].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(data[60..]) != Crc32.Compute(data[..60]))
        {
            return null;
        }
        return new MemoryMarkRecord(
            BinaryPrimitives.ReadUInt32LittleEndian(data[4..]), (ChipMode)data[8], data[9], (UpgradeState)data[10],
            BinaryPrimitives.ReadUInt32LittleEndian(data[12..]), BinaryPrimitives.ReadUInt32LittleEndian(data[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[20..]), data.Slice(24, 32).ToArray());
    }

    /// <summary>
    /// Picks the record to trust from the two slots: the valid one with the newer sequence number
    /// (serial-number arithmetic, so wrap-around is handled); <see cref="Factory"/> when neither is valid.
    /// Returns the slot index it came from (-1 for factory).
    /// </summary>
    public static (MemoryMarkRecord Record, int Slot) Choose(MemoryMarkRecord? slot0, MemoryMarkRecord? slot1)
    {
        if (slot0 is null && slot1 is null) return (Factory, -1);
        if (slot0 is null) return (slot1!, 1);
        if (slot1 is null) return (slot0, 0);
        return (int)(slot1.Sequence - slot0.Sequence) > 0 ? (slot1, 1) : (slot0, 0);
    }
}
