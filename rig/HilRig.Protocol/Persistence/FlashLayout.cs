namespace HilRig.Protocol.Persistence;

/// <summary>
/// The reference flash layout (docs/protocol.md §10): sector 0 and 1 hold the two memory-mark slots,
/// image slot A starts at sector 2, slot B right after it. Every size is a whole number of sectors.
/// </summary>
public sealed record FlashLayout(int SectorSizeBytes, int SlotSizeBytes)
{
    /// <summary>The default: 4 KiB sectors, 64 KiB image slots.</summary>
    public static FlashLayout Default { get; } = new(4096, 64 * 1024);

    /// <summary>Byte address of memory-mark slot 0 or 1.</summary>
    public int MarkSlotAddress(int slot) => slot * SectorSizeBytes;

    /// <summary>Byte address of image slot 0 (A) or 1 (B).</summary>
    public int ImageSlotAddress(int slot) => 2 * SectorSizeBytes + slot * SlotSizeBytes;

    /// <summary>Total flash size.</summary>
    public int TotalSizeBytes => 2 * SectorSizeBytes + 2 * SlotSizeBytes;

    /// <summary>The memory mark advances at least every this many bytes of a transfer (one sector).</summary>
    public int MarkIntervalBytes => SectorSizeBytes;

    /// <summary>Checks the sizes; returns the broken rule or null.</summary>
    public string? Validate()
    {
        if (SectorSizeBytes < 256 || (SectorSizeBytes & (SectorSizeBytes - 1)) != 0)
            return $"sector size {SectorSizeBytes} must be a power of two of at least 256 bytes";
        if (SlotSizeBytes <= 0 || SlotSizeBytes % SectorSizeBytes != 0)
            return $"slot size {SlotSizeBytes} must be a positive multiple of the sector size {SectorSizeBytes}";
        return null;
    }
}
