using FsCheck.Xunit;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Messages;

public sealed class FirmwareVersionTests
{
    [Property]
    public bool Read_ReturnsWrittenVersion_When_FieldsAreArbitrary(byte major, byte minor, ushort patch)
    {
        var version = new FirmwareVersion(major, minor, patch);
        var bytes = new byte[FirmwareVersion.SizeBytes];
        version.Write(bytes);
        return FirmwareVersion.Read(bytes) == version && bytes[2] == (byte)patch && bytes[3] == (byte)(patch >> 8);
    }

    [Property]
    public bool Parse_ReadsToString_When_FieldsAreArbitrary(byte major, byte minor, ushort patch)
    {
        var version = new FirmwareVersion(major, minor, patch);
        return FirmwareVersion.Parse(version.ToString()) == version;
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("256.0.0")]
    [InlineData("-1.0.0")]
    [InlineData("a.b.c")]
    public void Parse_ThrowsNamingTheText_When_TextIsNotAVersion(string text)
    {
        var ex = Assert.Throws<FormatException>(() => FirmwareVersion.Parse(text));

        Assert.Contains($"'{text}'", ex.Message);
    }
}
