using System.Buffers.Binary;
using System.Globalization;

namespace HilRig.Protocol.Messages;

/// <summary>A firmware version as carried on the wire: major u8, minor u8, patch u16 LE (4 bytes).</summary>
public readonly record struct FirmwareVersion(byte Major, byte Minor, ushort Patch)
{
    /// <summary>Encoded size.</summary>
    public const int SizeBytes = 4;

    /// <summary>Writes the 4 wire bytes.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Major;
        destination[1] = Minor;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], Patch);
    }

    /// <summary>Reads the 4 wire bytes.</summary>
    public static FirmwareVersion Read(ReadOnlySpan<byte> source) =>
        new(source[0], source[1], BinaryPrimitives.ReadUInt16LittleEndian(source[2..]));

    /// <summary>Parses "major.minor.patch".</summary>
    public static bool TryParse(string text, out FirmwareVersion version)
    {
        version = default;
        var parts = text.Trim().Split('.');
        if (parts.Length != 3
            || !byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || !ushort.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            return false;
        }
        version = new FirmwareVersion(major, minor, patch);
        return true;
    }

    /// <summary>Parses "major.minor.patch" or throws <see cref="FormatException"/> naming the text.</summary>
    public static FirmwareVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a version of the form major.minor.patch (0-255.0-255.0-65535)");

    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
