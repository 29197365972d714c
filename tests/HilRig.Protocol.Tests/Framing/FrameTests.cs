using FsCheck.Xunit;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Tests.Support;

namespace HilRig.Protocol.Tests.Framing;

public sealed class FrameTests
{
    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public bool Encode_RoundTripsThroughDecoder_When_FrameIsArbitrary(Frame frame)
    {
        var bytes = frame.Encode();
        var decoder = new FrameDecoder();
        var items = decoder.Feed(bytes);
        return items.Count == 1
            && items[0] is DecodedFrame decoded
            && FrameAssert.SameFrame(decoded.Frame, frame)
            && decoded.Raw.AsSpan().SequenceEqual(bytes)
            && decoder.PendingBytes == 0;
    }

    [Property(Arbitrary = [typeof(ProtocolArbitraries)])]
    public bool Encode_LaysOutHeaderAsDocumented_When_FrameIsArbitrary(Frame frame)
    {
        var b = frame.Encode();
        var length = frame.Payload.Length;
        return b.Length == 15 + length
            && b[0] == 0xA5 && b[1] == 0x5A && b[2] == 1
            && b[3] == (byte)frame.Type && b[4] == frame.Destination && b[5] == frame.Source && b[6] == frame.Sequence
            && (b[7] | (b[8] << 8)) == length
            && (b[9] | (b[10] << 8)) == (length ^ 0xFFFF)
            && BitConverter.ToUInt32(b, 11 + length) == Crc32.Compute(b.AsSpan(2, 9 + length));
    }

    [Fact]
    public void Encode_Throws_When_PayloadExceedsMaximum()
    {
        var frame = new Frame(MessageType.Data, 0x13, Address.Module, 0, new byte[Frame.MaxPayloadSizeBytes + 1]);

        var ex = Assert.Throws<ArgumentException>(() => frame.Encode());

        Assert.Contains("1025", ex.Message);
    }

    [Fact]
    public void SizeBytes_CountsHeaderPayloadAndCrc_When_PayloadIsMaximal()
    {
        var frame = new Frame(MessageType.Data, 0x13, Address.Module, 0, new byte[Frame.MaxPayloadSizeBytes]);

        Assert.Equal(1039, frame.SizeBytes);
        Assert.Equal(1039, frame.Encode().Length);
    }
}
