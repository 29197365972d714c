using System.Globalization;
using System.Text.RegularExpressions;

namespace HilRig.Protocol.Tests.Support;

/// <summary>One `vector` line of docs/protocol.md §3.4.</summary>
internal sealed record FrameVector(int Line, string Name, byte Type, byte Destination, byte Source, byte Sequence, byte[] Payload, byte[] Frame);

/// <summary>One line of a `crc32` block.</summary>
internal sealed record CrcVector(int Line, string Text, byte[] Data, uint Crc);

/// <summary>One line of a `records` block: its kind and key=value fields.</summary>
internal sealed record RecordVector(int Line, string Kind, IReadOnlyDictionary<string, string> Fields)
{
    public string Text(string key) => Fields.TryGetValue(key, out var v) ? v
        : throw new FormatException($"docs/protocol.md line {Line}: {Kind} has no field '{key}'");

    public uint Number(string key)
    {
        var text = Text(key);
        return text.StartsWith("0x", StringComparison.Ordinal)
            ? uint.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : uint.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public byte[] Bytes(string key) => Convert.FromHexString(Text(key));
}

/// <summary>
/// Reads the machine-readable blocks of docs/protocol.md. A line in a block that does not follow the
/// block's format is an error naming the line, so a typo in the page cannot silently drop a vector.
/// </summary>
internal sealed partial class ProtocolDocument
{
    private ProtocolDocument(string path, string text)
    {
        Path = path;
        Text = text;
        var lines = text.Split('\n');
        string? block = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var number = i + 1;
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                block = block is null ? line[3..].Trim() : null;
                continue;
            }
            if (block is null || line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            switch (block)
            {
                case "vectors": Vectors.Add(ParseVector(number, line)); break;
                case "crc32": CrcVectors.Add(ParseCrc(number, line)); break;
                case "records": Records.Add(ParseRecord(number, line)); break;
            }
        }
    }

    public string Path { get; }

    public string Text { get; }

    public List<FrameVector> Vectors { get; } = new();

    public List<CrcVector> CrcVectors { get; } = new();

    public List<RecordVector> Records { get; } = new();

    public static ProtocolDocument Load()
    {
        var path = System.IO.Path.Combine(TestRepository.Root, "docs", "protocol.md");
        return new ProtocolDocument(path, File.ReadAllText(path));
    }

    private static FrameVector ParseVector(int line, string text)
    {
        var m = VectorLine().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"docs/protocol.md line {line}: not a vector line (vector <name>: type=0xTT dst=0xDD src=0xSS seq=N payload=<hex> frame=<hex>): {text}");
        }
        return new FrameVector(line, m.Groups["name"].Value, Hex(m, "type"), Hex(m, "dst"), Hex(m, "src"),
            byte.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture),
            Convert.FromHexString(m.Groups["payload"].Value), Convert.FromHexString(m.Groups["frame"].Value));
    }

    private static CrcVector ParseCrc(int line, string text)
    {
        var m = CrcLine().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"docs/protocol.md line {line}: not a crc32 line (\"<ascii>\" = 0x<crc> or hex:<hex> = 0x<crc>): {text}");
        }
        var data = m.Groups["ascii"].Success
            ? System.Text.Encoding.ASCII.GetBytes(m.Groups["ascii"].Value)
            : Convert.FromHexString(m.Groups["hex"].Value);
        return new CrcVector(line, text, data, uint.Parse(m.Groups["crc"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    private static RecordVector ParseRecord(int line, string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = new Dictionary<string, string>();
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"docs/protocol.md line {line}: '{part}' is not key=value");
            }
            fields[part[..eq]] = part[(eq + 1)..];
        }
        return new RecordVector(line, parts[0], fields);
    }

    private static byte Hex(Match m, string group) => byte.Parse(m.Groups[group].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^vector (?<name>[A-Za-z0-9_.-]+): type=0x(?<type>[0-9a-fA-F]{2}) dst=0x(?<dst>[0-9a-fA-F]{2}) src=0x(?<src>[0-9a-fA-F]{2}) seq=(?<seq>\d{1,3}) payload=(?<payload>([0-9a-fA-F]{2})*) frame=(?<frame>([0-9a-fA-F]{2})+)$")]
    private static partial Regex VectorLine();

    [GeneratedRegex(@"^(""(?<ascii>[^""]*)""|hex:(?<hex>([0-9a-fA-F]{2})*)) = 0x(?<crc>[0-9a-fA-F]{8})$")]
    private static partial Regex CrcLine();
}
