using System.Text;

namespace HilRig.Scenarios.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a text file as bytes, the ways a file gets broken by hand or by a tool: lines deleted,
/// duplicated or swapped, a character flipped, control bytes and invalid UTF-8 inserted, the file cut short, numbers
/// made huge, indentation wrong, tabs for spaces. The same seed gives the same mutations.
/// </summary>
internal sealed class InputMutator(int seed)
{
    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];
    private static readonly string[] HugeNumbers = ["99999999999999999999999", "-1", "2147483648", "1e309", "-0", "0x7FFFFFFFFFFFFFFFF", "NaN", "4294967296"];

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of <paramref name="original"/>, and what they were (for the failure message).</summary>
    public (byte[] Bytes, string Description) Mutate(byte[] original)
    {
        var lines = Split(original);
        var applied = new List<string>();
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            applied.Add(MutateOnce(lines));
        }
        return (Join(lines), string.Join(", ", applied));
    }

    private string MutateOnce(List<List<byte>> lines)
    {
        if (lines.Count == 0)
        {
            lines.Add([.. "x"u8]);
        }
        var at = _random.Next(lines.Count);
        var line = lines[at];
        switch (_random.Next(11))
        {
            case 0:
                lines.RemoveAt(at);
                return $"deleted line {at + 1}";
            case 1:
                lines.Insert(at, [.. line]);
                return $"duplicated line {at + 1}";
            case 2:
                var other = _random.Next(lines.Count);
                (lines[at], lines[other]) = (lines[other], lines[at]);
                return $"swapped lines {at + 1} and {other + 1}";
            case 3:
                if (line.Count == 0) goto case 5;
                var column = _random.Next(line.Count);
                line[column] = (byte)" :-|@#\"'{}[],.0123456789abcXYZ>*&!%"[_random.Next(35)];
                return $"flipped line {at + 1} column {column + 1}";
            case 4:
                var control = (byte)(_random.Next(3) == 0 ? 0x7F : _random.Next(0x20));
                line.Insert(_random.Next(line.Count + 1), control);
                return $"control byte 0x{control:X2} in line {at + 1}";
            case 5:
                var bytes = InvalidUtf8[_random.Next(InvalidUtf8.Length)];
                line.InsertRange(_random.Next(line.Count + 1), bytes);
                return $"invalid UTF-8 {Convert.ToHexString(bytes)} in line {at + 1}";
            case 6:
                var keep = _random.Next(at + 1);
                lines.RemoveRange(keep, lines.Count - keep);
                if (lines.Count > 0)
                {
                    lines[^1] = lines[^1].Take(_random.Next(lines[^1].Count + 1)).ToList();
                }
                return $"truncated at line {keep + 1}";
            case 7:
                var digits = line.FindIndex(b => b is >= (byte)'0' and <= (byte)'9');
                var huge = HugeNumbers[_random.Next(HugeNumbers.Length)];
                if (digits < 0)
                {
                    line.AddRange(Encoding.ASCII.GetBytes(" " + huge));
                    return $"appended {huge} to line {at + 1}";
                }
                var end = digits;
                while (end < line.Count && line[end] is >= (byte)'0' and <= (byte)'9') end++;
                line.RemoveRange(digits, end - digits);
                line.InsertRange(digits, Encoding.ASCII.GetBytes(huge));
                return $"number in line {at + 1} made {huge}";
            case 8:
                var spaces = _random.Next(1, 5);
                if (_random.Next(2) == 0 || line.Count == 0 || line[0] != (byte)' ')
                {
                    line.InsertRange(0, Enumerable.Repeat((byte)' ', spaces));
                    return $"indented line {at + 1} by {spaces} more";
                }
                line.RemoveRange(0, Math.Min(spaces, line.TakeWhile(b => b == (byte)' ').Count()));
                return $"dedented line {at + 1}";
            case 9:
                var indent = line.TakeWhile(b => b == (byte)' ').Count();
                line.RemoveRange(0, indent);
                line.Insert(0, (byte)'\t');
                return $"tab for the indentation of line {at + 1}";
            default:
                lines.Insert(at, [.. lines[_random.Next(lines.Count)].Take(_random.Next(40))]);
                return $"a piece of another line inserted at {at + 1}";
        }
    }

    private static List<List<byte>> Split(byte[] bytes)
    {
        var lines = new List<List<byte>> { new() };
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                lines.Add([]);
            }
            else
            {
                lines[^1].Add(b);
            }
        }
        return lines;
    }

    private static byte[] Join(List<List<byte>> lines) => lines.SelectMany((l, i) => i == 0 ? l : l.Prepend((byte)'\n')).ToArray();
}
