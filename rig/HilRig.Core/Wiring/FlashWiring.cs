namespace HilRig.Core.Wiring;

/// <summary>The geometry of a chip's flash as far as the OTA image slots are concerned.</summary>
/// <param name="SectorSizeBytes">Erase sector size; a power of two, at least 256.</param>
/// <param name="SlotSizeBytes">Size of one image slot (A or B); a positive multiple of the sector size.</param>
/// <param name="Line">Source line of the <c>flash</c> entry, or 0 when the defaults were used.</param>
public sealed record FlashWiring(int SectorSizeBytes, int SlotSizeBytes, int Line = 0)
{
    /// <summary>Default erase sector size: 4 KiB, the common NOR flash sector.</summary>
    public const int DefaultSectorSizeBytes = 4096;

    /// <summary>Default image slot size: 64 KiB.</summary>
    public const int DefaultSlotSizeBytes = 65536;

    /// <summary>The geometry used when a chip has no <c>flash</c> entry.</summary>
    public static FlashWiring Default { get; } = new(DefaultSectorSizeBytes, DefaultSlotSizeBytes);
}
