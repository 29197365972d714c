using System.Buffers.Binary;
using System.Security.Cryptography;
using FsCheck.Xunit;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Images;

public sealed class ImageHeaderTests
{
    private static ImageHeader Sample => FirmwareImage.Create(0x13, new(1, 1, 0), [1, 2, 3, 4]).Header;

    [Property]
    public bool TryDecode_ReturnsEncodedFields_When_FieldsAreArbitrary(byte model, byte major, byte minor, ushort patch, uint bodySize, bool signed, byte[] seed)
    {
        var digest = SHA256.HashData(seed);
        var header = new ImageHeader(model, new FirmwareVersion(major, minor, patch), bodySize, digest, signed);

        var bytes = header.Encode();
        var decoded = ImageHeader.TryDecode(bytes, out var error);

        return bytes.Length == ImageHeader.SizeBytes && error is null && decoded is not null
            && decoded with { BodySha256 = digest } == header
            && decoded.BodySha256.SequenceEqual(digest)
            && decoded.ImageSizeBytes == 64 + bodySize + (signed ? 64u : 0u);
    }

    [Fact]
    public void Encode_PlacesFieldsAtDocumentedOffsets_When_Called()
    {
        var b = Sample.Encode();

        Assert.Equal("HRIM"u8.ToArray(), b[..4]);
        Assert.Equal(1, b[4]);
        Assert.Equal(0, b[5]);
        Assert.Equal(0x13, b[6]);
        Assert.Equal(new byte[] { 1, 1, 0, 0 }, b[8..12]);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));
        Assert.Equal(SHA256.HashData(new byte[] { 1, 2, 3, 4 }), b[16..48]);
        Assert.All(b[48..60], x => Assert.Equal(0, x));
        Assert.Equal(Crc32.Compute(b.AsSpan(0, 60)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(60)));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(30)]
    [InlineData(59)]
    [InlineData(61)]
    public void TryDecode_ReportsCrcMismatch_When_AByteIsChanged(int position)
    {
        var bytes = Sample.Encode();
        bytes[position] ^= 0x10;

        Assert.Null(ImageHeader.TryDecode(bytes, out var error));
        Assert.Contains("image header CRC mismatch", error);
    }

    [Fact]
    public void TryDecode_ReportsMagic_When_MagicIsWrong()
    {
        var bytes = Sample.Encode();
        bytes[0] = (byte)'X';

        Assert.Null(ImageHeader.TryDecode(bytes, out var error));
        Assert.Contains("magic", error);
    }

    [Fact]
    public void TryDecode_ReportsVersion_When_HeaderVersionIsNotOne()
    {
        var bytes = Sample.Encode();
        bytes[4] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(60), Crc32.Compute(bytes.AsSpan(0, 60)));

        Assert.Null(ImageHeader.TryDecode(bytes, out var error));
        Assert.Contains("version 2 is not supported", error);
    }

    [Fact]
    public void TryDecode_ReportsSize_When_FewerThan64Bytes()
    {
        Assert.Null(ImageHeader.TryDecode(Sample.Encode()[..63], out var error));
        Assert.Contains("needs 64 bytes, got 63", error);
    }
}
