using HilRig.Protocol.Messages;

namespace HilRig.Bench.Chip;

/// <summary>
/// The frames a target holds beyond its next expected offset under selective acknowledgement (docs/protocol.md §7.3.1):
/// whole frames of <see cref="UnitBytes"/> on the grid of unit multiples, written to flash, not yet contiguous. Volatile:
/// a reboot forgets them (the persisted offset never counts them), and the module sends them again.
/// </summary>
internal sealed class HeldFrames(int unitBytes)
{
    private readonly SortedSet<uint> _offsets = [];

    /// <summary>Bytes per frame, as TRANSFER_OPTIONS gave it.</summary>
    public int UnitBytes { get; } = unitBytes;

    /// <summary>
    /// Whether a DATA beyond <paramref name="next"/> may be held: a whole frame on the grid (the image's last frame may be
    /// shorter) whose index from the bitmap's base is below <see cref="SelectiveAck.Frames"/>.
    /// </summary>
    public bool Accepts(uint offset, int count, uint next, uint imageSize) =>
        offset % UnitBytes == 0 && count == Math.Min(UnitBytes, imageSize - offset)
        && (offset - SelectiveAck.Base(next, UnitBytes)) / UnitBytes < SelectiveAck.Frames;

    /// <summary>Whether the frame starting at <paramref name="offset"/> is held.</summary>
    public bool Contains(uint offset) => _offsets.Contains(offset);

    /// <summary>Records a frame as held (after its bytes are programmed).</summary>
    public void Add(uint offset) => _offsets.Add(offset);

    /// <summary>Whether a held frame has bytes in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public bool Overlaps(long start, long end) => _offsets.GetViewBetween((uint)Math.Max(0, start - UnitBytes + 1), (uint)Math.Max(0, end - 1)).Count > 0;

    /// <summary>The first held frame at or after <paramref name="offset"/>, if any.</summary>
    public uint? FirstFrom(uint offset) => _offsets.GetViewBetween(offset, uint.MaxValue) is { Count: > 0 } view ? view.Min : null;

    /// <summary>Moves <paramref name="next"/> over the held frames that now continue the contiguous data, and forgets them.</summary>
    public uint Absorb(uint next, uint imageSize)
    {
        while (_offsets.Remove(next))
        {
            next = (uint)Math.Min((long)next + UnitBytes, imageSize);
        }
        _offsets.RemoveWhere(o => o < next);
        return next;
    }

    /// <summary>The bitmap of the 1.2 DATA_ACK: bit i for the frame at base + i·unit, base = next rounded up to the unit.</summary>
    public ulong Bitmap(uint next)
    {
        var start = SelectiveAck.Base(next, UnitBytes);
        var bits = 0UL;
        foreach (var offset in _offsets)
        {
            var index = (offset - start) / UnitBytes;
            if (offset >= start && index < SelectiveAck.Frames)
            {
                bits |= 1UL << (int)index;
            }
        }
        return bits;
    }
}
