using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Flash;

/// <summary>
/// The two-slot memory mark on flash (docs/protocol.md §9.2): a new record always goes to the slot that
/// does not hold the newest valid record (erase that sector, then program the record), so a cut at any
/// point leaves the previous record intact.
/// </summary>
public sealed class MemoryMarkStore
{
    private readonly NorFlash _flash;
    private readonly FlashLayout _layout;
    private readonly bool _singleSlot;
    private int _currentSlot;

    /// <summary>Reads both slots and keeps the newest valid record.</summary>
    /// <param name="flash">The chip's flash.</param>
    /// <param name="layout">Where the mark slots are.</param>
    /// <param name="singleSlot">The single-slot-mark firmware defect: every record goes to slot 0.</param>
    public MemoryMarkStore(NorFlash flash, FlashLayout layout, bool singleSlot = false)
    {
        _flash = flash;
        _layout = layout;
        _singleSlot = singleSlot;
        var slot0 = MemoryMarkRecord.TryDecode(flash.Read(layout.MarkSlotAddress(0), MemoryMarkRecord.SizeBytes));
        var slot1 = MemoryMarkRecord.TryDecode(flash.Read(layout.MarkSlotAddress(1), MemoryMarkRecord.SizeBytes));
        (Current, _currentSlot) = MemoryMarkRecord.Choose(slot0, slot1);
    }

    /// <summary>The newest record (factory record when none was ever written).</summary>
    public MemoryMarkRecord Current { get; private set; }

    /// <summary>Writes <paramref name="record"/> with the next sequence number; returns what was stored.</summary>
    public MemoryMarkRecord Write(MemoryMarkRecord record)
    {
        var target = _currentSlot == 0 ? 1 : 0;
        if (_singleSlot)
        {
            // DEFECT: single-slot-mark. The record overwrites slot 0 in place, so a cut between the erase
            // and the end of the program leaves no valid record (or an older one from slot 1).
            target = 0;
        }
        var stored = record with { Sequence = Current.Sequence + 1 };
        var address = _layout.MarkSlotAddress(target);
        _flash.EraseSector(address);
        _flash.Program(address, stored.Encode());
        Current = stored;
        _currentSlot = target;
        return stored;
    }
}
