using FsCheck.Xunit;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Images;

public sealed class FirmwareImageTests
{
    [Property]
    public bool TryDecode_ReturnsCreatedImage_When_BodyIsArbitrary(byte model, byte major, byte minor, ushort patch, byte[] body)
    {
        var image = FirmwareImage.Create(model, new FirmwareVersion(major, minor, patch), body);

        var bytes = image.Encode();
        var decoded = FirmwareImage.TryDecode(bytes, out var error);

        return error is null && decoded is not null
            && bytes.Length == 64 + body.Length
            && decoded.Body.SequenceEqual(body)
            && decoded.Header.Encode().SequenceEqual(image.Header.Encode())
            && decoded.Signature is null;
    }

    [Fact]
    public void TryDecode_KeepsSignature_When_HeaderSaysSigned()
    {
        var unsigned = FirmwareImage.Create(0x21, new(2, 0, 1), [9, 8, 7]);
        var signature = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var signed = new FirmwareImage(unsigned.Header with { Signed = true }, unsigned.Body, signature);

        var bytes = signed.Encode();
        var decoded = FirmwareImage.TryDecode(bytes, out var error);

        Assert.Null(error);
        Assert.Equal(64 + 3 + 64, bytes.Length);
        Assert.Equal(signature, decoded!.Signature);
        Assert.Equal(1, bytes[5]);
    }

    [Fact]
    public void TryDecode_ReportsDigestMismatch_When_BodyByteChanged()
    {
        var bytes = FirmwareImage.Create(0x11, new(1, 0, 0), new byte[100]).Encode();
        bytes[64 + 50] ^= 0x01;

        Assert.Null(FirmwareImage.TryDecode(bytes, out var error));
        Assert.Equal("image body SHA-256 differs from its header", error);
    }

    [Fact]
    public void TryDecode_ReportsHeaderCrc_When_HeaderByteChanged()
    {
        var bytes = FirmwareImage.Create(0x11, new(1, 0, 0), new byte[100]).Encode();
        bytes[20] ^= 0x01;

        Assert.Null(FirmwareImage.TryDecode(bytes, out var error));
        Assert.StartsWith("image header CRC mismatch", error);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void TryDecode_ReportsBothSizes_When_FileLengthDiffersFromHeader(int delta)
    {
        var bytes = FirmwareImage.Create(0x11, new(1, 0, 0), new byte[100]).Encode();
        var resized = delta < 0 ? bytes[..^1] : [.. bytes, 0];

        Assert.Null(FirmwareImage.TryDecode(resized, out var error));
        Assert.Equal($"image is {164 + delta} bytes but its header describes 164", error);
    }
}
