using System.Buffers.Binary;
using System.Security.Cryptography;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Images;

/// <summary>
/// The 64-byte firmware image header (docs/protocol.md §8): magic "HRIM", header version 1, flags
/// (bit 0: an Ed25519 signature follows the body), model id, reserved, version (4), body size u32,
/// SHA-256 of the body (32), 12 reserved zero bytes, CRC-32 of bytes 0..59.
/// </summary>
public sealed record ImageHeader(byte ModelId, FirmwareVersion Version, uint BodySizeBytes, byte[] BodySha256, bool Signed)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 64;
    /// <summary>Size of the optional Ed25519 signature after the body.</summary>
    public const int SignatureSizeBytes = 64;
    /// <summary>The magic "HRIM".</summary>
    public static ReadOnlySpan<byte> Magic => "HRIM"u8;
    /// <summary>Header format version.</summary>
    public const byte HeaderVersion = 1;

    /// <summary>Size of the whole image file: header, body and signature if any.</summary>
    public uint ImageSizeBytes => (uint)(SizeBytes + BodySizeBytes + (Signed ? SignatureSizeBytes : 0));

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var b = new byte[SizeBytes];
        Magic.CopyTo(b);
        b[4] = HeaderVersion;
        b[5] = Signed ? (byte)1 : (byte)0;
        b[6] = ModelId;
        Version.Write(b.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), BodySizeBytes);
        BodySha256.CopyTo(b.AsSpan(16, 32));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(60), Crc32.Compute(b.AsSpan(0, 60)));
        return b;
    }

    /// <summary>Decodes a header, or returns null with the reason.</summary>
    public static ImageHeader? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        if (data.Length < SizeBytes)
        {
            error = $"image header needs {SizeBytes} bytes, got {data.Length}";
            return null;
        }
        if (!data[..4].SequenceEqual(Magic))
        {
            error = "image header magic is not \"HRIM\"";
            return null;
        }
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[60..]);
        var actual = Crc32.Compute(data[..60]);
        if (crc != actual)
        {
            error = $"image header CRC mismatch (header says 0x{crc:X8}, bytes give 0x{actual:X8})";
            return null;
        }
        if (data[4] != HeaderVersion)
        {
            error = $"image header version {data[4]} is not supported (expected {HeaderVersion})";
            return null;
        }
        error = null;
        return new ImageHeader(data[6], FirmwareVersion.Read(data[8..]), BinaryPrimitives.ReadUInt32LittleEndian(data[12..]),
            data.Slice(16, 32).ToArray(), (data[5] & 1) != 0);
    }

    /// <summary>The body digest as lowercase hex.</summary>
    public string DigestHex => Convert.ToHexStringLower(BodySha256);
}

/// <summary>A whole image file: header, body and optional signature.</summary>
public sealed record FirmwareImage(ImageHeader Header, byte[] Body, byte[]? Signature = null)
{
    /// <summary>Builds an unsigned image around a body.</summary>
    public static FirmwareImage Create(byte modelId, FirmwareVersion version, byte[] body) =>
        new(new ImageHeader(modelId, version, (uint)body.Length, SHA256.HashData(body), Signed: false), body);

    /// <summary>The image file bytes.</summary>
    public byte[] Encode()
    {
        var header = Header.Encode();
        var result = new byte[Header.ImageSizeBytes];
        header.CopyTo(result, 0);
        Body.CopyTo(result, ImageHeader.SizeBytes);
        if (Header.Signed)
        {
            (Signature ?? throw new InvalidOperationException("signed image without signature")).CopyTo(result, ImageHeader.SizeBytes + Body.Length);
        }
        return result;
    }

    /// <summary>Reads an image file, checking sizes and the body digest.</summary>
    public static FirmwareImage? TryDecode(ReadOnlySpan<byte> file, out string? error)
    {
        var header = ImageHeader.TryDecode(file, out error);
        if (header is null)
        {
            return null;
        }
        if (file.Length != header.ImageSizeBytes)
        {
            error = $"image is {file.Length} bytes but its header describes {header.ImageSizeBytes}";
            return null;
        }
        var body = file.Slice(ImageHeader.SizeBytes, (int)header.BodySizeBytes).ToArray();
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(header.BodySha256))
        {
            error = "image body SHA-256 differs from its header";
            return null;
        }
        var signature = header.Signed ? file[(ImageHeader.SizeBytes + body.Length)..].ToArray() : null;
        error = null;
        return new FirmwareImage(header, body, signature);
    }
}
