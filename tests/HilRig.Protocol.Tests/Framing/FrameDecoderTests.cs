using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Tests.Support;

namespace HilRig.Protocol.Tests.Framing;

public sealed class FrameDecoderTests
{
    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_YieldsNoFrame_When_AnySingleByteIsChanged(Frame frame, int position, byte xor)
    {
        var bytes = frame.Encode();
        var at = (int)((uint)position % (uint)bytes.Length);
        bytes[at] ^= xor == 0 ? (byte)1 : xor;
        var decoder = new FrameDecoder();

        var frames = FrameAssert.Frames(decoder.Feed(bytes).Concat(decoder.Flush()));

        return (frames.Count == 0).Label($"byte {at} changed, decoded {frames.Count} frame(s)");
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_YieldsNoFrame_When_AnySingleByteIsDropped(Frame frame, int position)
    {
        var bytes = frame.Encode().ToList();
        var at = (int)((uint)position % (uint)bytes.Count);
        bytes.RemoveAt(at);
        var decoder = new FrameDecoder();

        var frames = FrameAssert.Frames(decoder.Feed(bytes.ToArray()).Concat(decoder.Flush()));

        return (frames.Count == 0).Label($"byte {at} dropped, decoded {frames.Count} frame(s)");
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_FindsValidFrame_When_ItFollowsGarbageAndADamagedFrame(Frame damaged, Frame valid, byte[] garbage, int position, bool drop)
    {
        var broken = damaged.Encode().ToList();
        var at = (int)((uint)position % (uint)broken.Count);
        if (drop)
        {
            broken.RemoveAt(at);
        }
        else
        {
            broken[at] ^= 0xFF;
        }
        // Zero padding fills any candidate a false sync opened, so the decoder has to decide on it (§3.3).
        var stream = garbage.Concat(broken).Concat(valid.Encode()).Concat(new byte[Frame.HeaderSizeBytes + Frame.MaxPayloadSizeBytes + Frame.TrailerSizeBytes]).ToArray();

        var frames = FrameAssert.Frames(new FrameDecoder().Feed(stream));

        return (frames.Count >= 1 && FrameAssert.SameFrame(frames[^1], valid))
            .Label($"decoded {frames.Count} frame(s); damage at byte {at}, drop={drop}");
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_AccountsForEveryByte_When_StreamIsFedInArbitraryChunks((byte[] Stream, int[] Chunks) input)
    {
        var decoder = new FrameDecoder();
        var items = new List<DecodedItem>();
        foreach (var chunk in Chunk(input.Stream, input.Chunks))
        {
            items.AddRange(decoder.Feed(chunk));
        }
        var consumed = items.SelectMany(i => i.Raw).ToArray();
        var expected = input.Stream[..^decoder.PendingBytes];
        var flushed = decoder.Flush().SelectMany(i => i.Raw);

        return (consumed.AsSpan().SequenceEqual(expected) && consumed.Concat(flushed).SequenceEqual(input.Stream))
            .Label($"{input.Stream.Length} bytes in, {consumed.Length} reported, {decoder.PendingBytes} pending");
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_YieldsSameFramesAsOneFeed_When_StreamIsChunked((byte[] Stream, int[] Chunks) input)
    {
        var whole = FrameAssert.Frames(new FrameDecoder().Feed(input.Stream));
        var chunkedDecoder = new FrameDecoder();
        var chunked = FrameAssert.Frames(Chunk(input.Stream, input.Chunks).SelectMany(c => chunkedDecoder.Feed(c)));

        return (whole.Count == chunked.Count && whole.Zip(chunked).All(p => FrameAssert.SameFrame(p.First, p.Second)))
            .Label($"whole {whole.Count} frame(s), chunked {chunked.Count}");
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public Property Feed_DecodesEveryFrame_When_ValidFramesAreFedByteByByte(Frame[] frames)
    {
        var decoder = new FrameDecoder();
        var decoded = new List<Frame>();
        foreach (var b in frames.SelectMany(f => f.Encode()))
        {
            decoded.AddRange(FrameAssert.Frames(decoder.Feed([b])));
        }

        return (decoded.Count == frames.Length && decoded.Zip(frames).All(p => FrameAssert.SameFrame(p.First, p.Second)))
            .Label($"{frames.Length} sent, {decoded.Count} decoded");
    }

    [Fact]
    public void Feed_ReportsSkippedBytesWithReason_When_VersionIsNotOne()
    {
        var bytes = new Frame(MessageType.StatusRequest, 0x13, Address.Rig, 0, []).Encode();
        bytes[2] = 2;

        var items = new FrameDecoder().Feed(bytes);

        var skipped = Assert.IsType<SkippedBytes>(Assert.Single(items));
        Assert.Contains("unsupported protocol version 2", skipped.Reason);
        Assert.Equal(bytes, skipped.Raw);
    }

    [Fact]
    public void Feed_RejectsCandidate_When_LengthExceedsMaximumEvenWithMatchingNlen()
    {
        byte[] bytes = [0xA5, 0x5A, 0x01, 0x05, 0x13, 0x00, 0x00, 0x01, 0x04, 0xFE, 0xFB];

        var decoder = new FrameDecoder();
        var items = decoder.Feed(bytes);

        var skipped = Assert.IsType<SkippedBytes>(Assert.Single(items));
        Assert.Contains("length field 1025", skipped.Reason);
        Assert.Equal(0, decoder.PendingBytes);
    }

    [Fact]
    public void Feed_FindsFrameStartingInsideRejectedCandidate_When_CrcFails()
    {
        var inner = new Frame(MessageType.StatusRequest, 0x13, Address.Rig, 9, []).Encode();
        var outer = new Frame(MessageType.Data, 0x13, Address.Module, 1, [0, 0, 0, 0, .. inner]).Encode();
        outer[^1] ^= 0x01;

        var frames = FrameAssert.Frames(new FrameDecoder().Feed(outer));

        var found = Assert.Single(frames);
        Assert.Equal(MessageType.StatusRequest, found.Type);
        Assert.Equal(9, found.Sequence);
    }

    [Fact]
    public void Feed_WaitsForRestOfFrame_When_FrameIsIncomplete()
    {
        var bytes = new Frame(MessageType.DataAck, Address.Module, 0x13, 3, new byte[9]).Encode();
        var decoder = new FrameDecoder();

        var first = decoder.Feed(bytes.AsSpan(0, bytes.Length - 1));
        var pendingAfterFirst = decoder.PendingBytes;
        var second = decoder.Feed(bytes.AsSpan(bytes.Length - 1));

        Assert.Empty(first);
        Assert.Equal(bytes.Length - 1, pendingAfterFirst);
        Assert.IsType<DecodedFrame>(Assert.Single(second));
        Assert.Equal(0, decoder.PendingBytes);
    }

    [Fact]
    public void Flush_ReportsPendingBytesAsSkipped_When_StreamEndsInsideFrame()
    {
        var bytes = new Frame(MessageType.DataAck, Address.Module, 0x13, 3, new byte[9]).Encode()[..12];
        var decoder = new FrameDecoder();
        decoder.Feed(bytes);

        var items = decoder.Flush();

        var skipped = Assert.IsType<SkippedBytes>(Assert.Single(items));
        Assert.Equal(bytes, skipped.Raw);
        Assert.Contains("incomplete frame", skipped.Reason);
        Assert.Equal(0, decoder.PendingBytes);
    }

    private static IEnumerable<byte[]> Chunk(byte[] stream, int[] sizes)
    {
        var offset = 0;
        for (var i = 0; offset < stream.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], stream.Length - offset);
            yield return stream[offset..(offset + size)];
            offset += size;
        }
    }

    [Fact]
    public void RejectPending_LetsTheNextFrameThroughAtOnce_When_ASenderDiedInsideAFrame()
    {
        var cut = new Frame(MessageType.Data, 0x13, Address.Module, 4, new byte[516]).Encode()[..200];
        var next = new Frame(MessageType.StatusRequest, 0x11, Address.Module, 0, []).Encode();
        var decoder = new FrameDecoder();
        decoder.Feed(cut);

        var rejected = decoder.RejectPending("sender lost power");
        var after = decoder.Feed(next);

        var skipped = Assert.IsType<SkippedBytes>(Assert.Single(rejected));
        Assert.Equal(cut, skipped.Raw);
        Assert.Equal("sender lost power", skipped.Reason);
        Assert.Equal(MessageType.StatusRequest, Assert.Single(FrameAssert.Frames(after)).Type);
    }

    [Fact]
    public void RejectPending_DeliversAFrameFoundInsideTheRejectedBytes_When_AFalseCandidateHeldIt()
    {
        // A false start (sync, version, a length of 600 that passes its check) hides a complete frame behind it.
        byte[] falseStart = [0xA5, 0x5A, 0x01, 0x05, 0x13, 0x00, 0x01, 0x58, 0x02, 0xA7, 0xFD];
        var hidden = new Frame(MessageType.StatusRequest, 0x12, Address.Rig, 7, []).Encode();
        var decoder = new FrameDecoder();

        var fed = decoder.Feed([.. falseStart, .. hidden]);
        var rejected = decoder.RejectPending("line idle");

        Assert.Empty(FrameAssert.Frames(fed));
        var found = Assert.Single(FrameAssert.Frames(rejected));
        Assert.Equal(7, found.Sequence);
        Assert.Equal(falseStart, Assert.IsType<SkippedBytes>(rejected[0]).Raw);
        Assert.Equal(0, decoder.PendingBytes);
    }
}
