using System.CommandLine.Parsing;
using System.Globalization;

namespace HilRig.Bench.Node;

/// <summary>Parses model ids given as 0x.. hex or decimal.</summary>
internal static class ByteParser
{
    public static byte Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? byte.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            : byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok)
        {
            result.AddError($"'{text}' is not a byte (0..255, or 0x00..0xFF)");
        }
        return value;
    }
}
