using System.Globalization;

namespace HilRig.Servers.TargetOta.Http;

/// <summary>What a Range header asks of a file of a given size.</summary>
internal enum ByteRangeKind
{
    /// <summary>No Range header: the whole file.</summary>
    None,
    /// <summary>One satisfiable range: bytes Start..End inclusive.</summary>
    Satisfiable,
    /// <summary>A well-formed range past the end of the file: 416.</summary>
    Unsatisfiable,
    /// <summary>A header that is not one byte range; ignored (the whole file is served), as nginx does.</summary>
    Malformed,
}

/// <summary>One parsed Range header (RFC 9110 §14.2; single ranges only).</summary>
internal readonly record struct ByteRange(ByteRangeKind Kind, long Start, long End, string? Problem = null)
{
    public long LengthBytes => End - Start + 1;

    public static ByteRange Parse(string? header, long sizeBytes)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return new(ByteRangeKind.None, 0, sizeBytes - 1);
        }
        const string unit = "bytes=";
        if (!header.StartsWith(unit, StringComparison.OrdinalIgnoreCase))
        {
            return Malformed($"unit is not bytes in '{header}'");
        }
        var spec = header[unit.Length..].Trim();
        if (spec.Contains(','))
        {
            return Malformed($"multiple ranges are not supported ('{header}')");
        }
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return Malformed($"no '-' in '{header}'");
        }
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!TryNumber(last, out var suffix))
            {
                return Malformed($"suffix length is not a number in '{header}'");
            }
            return suffix == 0 || sizeBytes == 0
                ? new(ByteRangeKind.Unsatisfiable, 0, 0)
                : new(ByteRangeKind.Satisfiable, Math.Max(0, sizeBytes - suffix), sizeBytes - 1);
        }
        if (!TryNumber(first, out var start))
        {
            return Malformed($"first byte is not a number in '{header}'");
        }
        var end = sizeBytes - 1;
        if (last.Length > 0)
        {
            if (!TryNumber(last, out var lastByte) || lastByte < start)
            {
                return Malformed($"last byte is not a number at or after the first in '{header}'");
            }
            end = Math.Min(lastByte, sizeBytes - 1);
        }
        return start >= sizeBytes ? new(ByteRangeKind.Unsatisfiable, 0, 0) : new(ByteRangeKind.Satisfiable, start, end);
    }

    private static ByteRange Malformed(string problem) => new(ByteRangeKind.Malformed, 0, 0, problem);

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
