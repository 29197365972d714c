using System.Buffers.Binary;

namespace HilRig.Protocol.Framing;

/// <summary>Something the decoder found in a byte stream: a valid frame or bytes it skipped.</summary>
public abstract record DecodedItem(byte[] Raw);

/// <summary>A frame that passed every check, with its exact wire bytes.</summary>
public sealed record DecodedFrame(Frame Frame, byte[] Raw) : DecodedItem(Raw);

/// <summary>Bytes that are not part of any valid frame, and why the first of them was rejected.</summary>
public sealed record SkippedBytes(byte[] Raw, string Reason) : DecodedItem(Raw);

/// <summary>
/// Streaming frame decoder (docs/protocol.md §3.3). It never throws on input: bytes that cannot start a
/// valid frame are reported as <see cref="SkippedBytes"/> and the search for the next sync restarts one
/// byte after the rejected start, so a frame following garbage or a damaged frame is still found.
/// </summary>
public sealed class FrameDecoder
{
    private readonly List<byte> _buffer = new();
    private readonly List<byte> _skipped = new();
    private string? _skipReason;

    /// <summary>Bytes held while waiting for the rest of a frame.</summary>
    public int PendingBytes => _buffer.Count;

    /// <summary>Feeds received bytes; returns what they completed, in stream order.</summary>
    public IReadOnlyList<DecodedItem> Feed(ReadOnlySpan<byte> bytes)
    {
        var items = new List<DecodedItem>();
        foreach (var b in bytes)
        {
            _buffer.Add(b);
        }
        Drain(items);
        FlushSkipped(items);
        return items;
    }

    /// <summary>Reports everything still held as skipped bytes (for example when a link closes).</summary>
    public IReadOnlyList<DecodedItem> Flush()
    {
        var items = new List<DecodedItem>();
        if (_buffer.Count > 0)
        {
            Skip(_buffer.Count, "incomplete frame at end of stream");
        }
        FlushSkipped(items);
        return items;
    }

    /// <summary>
    /// Gives up on whatever is pending (docs/protocol.md §3.3: a receiver MAY reject a pending candidate when
    /// the line has gone idle): rejects B[0] and rescans, again and again until nothing waits, so a frame
    /// that starts inside the dropped bytes is still delivered. The rig calls it when the node sending on
    /// the line has lost power: the frame it had half sent will never end.
    /// </summary>
    public IReadOnlyList<DecodedItem> RejectPending(string reason)
    {
        var items = new List<DecodedItem>();
        while (_buffer.Count > 0)
        {
            Skip(1, reason);
            Drain(items);
        }
        FlushSkipped(items);
        return items;
    }

    private void Drain(List<DecodedItem> items)
    {
        while (_buffer.Count > 0)
        {
            if (_buffer[0] != Frame.Sync0)
            {
                var next = _buffer.IndexOf(Frame.Sync0);
                Skip(next < 0 ? _buffer.Count : next, "no sync byte 0xA5");
                continue;
            }
            if (_buffer.Count < 2)
            {
                return;
            }
            if (_buffer[1] != Frame.Sync1)
            {
                Skip(1, "0xA5 not followed by 0x5A");
                continue;
            }
            if (_buffer.Count < Frame.HeaderSizeBytes)
            {
                return;
            }
            if (_buffer[2] != Frame.ProtocolVersion)
            {
                Skip(1, $"unsupported protocol version {_buffer[2]}");
                continue;
            }
            var length = _buffer[7] | (_buffer[8] << 8);
            var notLength = _buffer[9] | (_buffer[10] << 8);
            if ((length ^ notLength) != 0xFFFF || length > Frame.MaxPayloadSizeBytes)
            {
                Skip(1, $"length field {length} fails its check (NLEN 0x{notLength:X4}, max {Frame.MaxPayloadSizeBytes})");
                continue;
            }
            var total = Frame.HeaderSizeBytes + length + Frame.TrailerSizeBytes;
            if (_buffer.Count < total)
            {
                return;
            }
            var raw = _buffer.GetRange(0, total).ToArray();
            var expected = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(total - 4));
            var actual = Crc32.Compute(raw.AsSpan(2, total - 6));
            if (expected != actual)
            {
                Skip(1, $"CRC mismatch (frame says 0x{expected:X8}, bytes give 0x{actual:X8})");
                continue;
            }
            FlushSkipped(items);
            _buffer.RemoveRange(0, total);
            var frame = new Frame((MessageType)raw[3], raw[4], raw[5], raw[6],
                raw.AsSpan(Frame.HeaderSizeBytes, length).ToArray());
            items.Add(new DecodedFrame(frame, raw));
        }
    }

    private void Skip(int count, string reason)
    {
        _skipReason ??= reason;
        _skipped.AddRange(_buffer.GetRange(0, count));
        _buffer.RemoveRange(0, count);
    }

    private void FlushSkipped(List<DecodedItem> items)
    {
        if (_skipped.Count == 0)
        {
            return;
        }
        items.Add(new SkippedBytes(_skipped.ToArray(), _skipReason ?? "unknown"));
        _skipped.Clear();
        _skipReason = null;
    }
}
