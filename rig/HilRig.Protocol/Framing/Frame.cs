using System.Buffers.Binary;

namespace HilRig.Protocol.Framing;

/// <summary>
/// One chain frame (docs/protocol.md §3): SYNC 0xA5 0x5A, VER, TYPE, DST, SRC, SEQ, LEN (u16 LE),
/// NLEN (LEN xor 0xFFFF), PAYLOAD, CRC-32 (LE) over VER..PAYLOAD.
/// </summary>
public sealed record Frame(MessageType Type, byte Destination, byte Source, byte Sequence, byte[] Payload)
{
    /// <summary>First sync byte.</summary>
    public const byte Sync0 = 0xA5;
    /// <summary>Second sync byte.</summary>
    public const byte Sync1 = 0x5A;
    /// <summary>Protocol version carried in every frame.</summary>
    public const byte ProtocolVersion = 1;
    /// <summary>Bytes before the payload.</summary>
    public const int HeaderSizeBytes = 11;
    /// <summary>Bytes after the payload.</summary>
    public const int TrailerSizeBytes = 4;
    /// <summary>Largest payload a frame may carry.</summary>
    public const int MaxPayloadSizeBytes = 1024;

    /// <summary>Total encoded size of this frame.</summary>
    public int SizeBytes => HeaderSizeBytes + Payload.Length + TrailerSizeBytes;

    /// <summary>Encodes the frame to its wire bytes.</summary>
    public byte[] Encode()
    {
        if (Payload.Length > MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"payload of {Payload.Length} bytes exceeds {MaxPayloadSizeBytes}");
        }
        var bytes = new byte[SizeBytes];
        bytes[0] = Sync0;
        bytes[1] = Sync1;
        bytes[2] = ProtocolVersion;
        bytes[3] = (byte)Type;
        bytes[4] = Destination;
        bytes[5] = Source;
        bytes[6] = Sequence;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(7), (ushort)Payload.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(9), (ushort)(Payload.Length ^ 0xFFFF));
        Payload.CopyTo(bytes.AsSpan(HeaderSizeBytes));
        var crc = Crc32.Compute(bytes.AsSpan(2, HeaderSizeBytes - 2 + Payload.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderSizeBytes + Payload.Length), crc);
        return bytes;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Type} {Address.Describe(Source)}->{Address.Describe(Destination)} seq={Sequence} len={Payload.Length}";
}
