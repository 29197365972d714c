using FsCheck;
using FsCheck.Fluent;
using HilRig.Protocol.Framing;

namespace HilRig.Protocol.Tests.Support;

/// <summary>FsCheck generators for frames and byte streams.</summary>
public static class ProtocolArbitraries
{
    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    /// <summary>Payloads from empty to the 1024-byte maximum, small ones more often.</summary>
    public static Gen<byte[]> Payload { get; } = Gen.Frequency(
        (4, Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(AnyByte, n))),
        (1, Gen.Choose(0, Frame.MaxPayloadSizeBytes).SelectMany(n => Gen.ArrayOf(AnyByte, n))),
        (1, Gen.Constant(0).Select(_ => new byte[Frame.MaxPayloadSizeBytes])));

    /// <summary>Any frame a sender may produce, of any type byte (known or not).</summary>
    public static Gen<Frame> FrameGen { get; } =
        from type in AnyByte
        from dst in AnyByte
        from src in AnyByte
        from seq in AnyByte
        from payload in Payload
        select new Frame((MessageType)type, dst, src, seq, payload);

    /// <summary>A segment of a noisy line: a valid frame, garbage, or a damaged frame.</summary>
    private static Gen<byte[]> Segment { get; } = Gen.Frequency(
        (3, FrameGen.Select(f => f.Encode())),
        (2, Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(AnyByte, n))),
        (1, FrameGen.SelectMany(f => Gen.Choose(0, 1000).Select(cut => f.Encode()[..Math.Min(cut, f.SizeBytes)]))),
        (1, FrameGen.SelectMany(f => Gen.Choose(0, 10_000).Select(at =>
        {
            var bytes = f.Encode();
            bytes[at % bytes.Length] ^= 0x5A;
            return bytes;
        }))));

    /// <summary>A byte stream and the sizes to cut it into (each at least 1).</summary>
    public static Gen<(byte[] Stream, int[] Chunks)> ChunkedStream { get; } =
        from segments in Gen.ListOf(Segment).Resize(8)
        from chunks in Gen.NonEmptyListOf(Gen.Choose(1, 300))
        select (segments.SelectMany(s => s).ToArray(), chunks.ToArray());

    public static Arbitrary<Frame> Frames() => FrameGen.ToArbitrary();

    public static Arbitrary<(byte[] Stream, int[] Chunks)> ChunkedStreams() => ChunkedStream.ToArbitrary();
}
