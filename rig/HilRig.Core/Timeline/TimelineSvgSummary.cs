using System.Globalization;

namespace HilRig.Core.Timeline;

/// <summary>
/// Words for the picture's labels out of the free text of faults and checks (naming chips, finding the nodes
/// a fault names, its duration). Frames, chip records, mode snapshots and power states are never read from
/// text: they are typed fields of <see cref="TimelineEvent"/>. No regular expressions here (TimelineConsumerTests).
/// </summary>
internal static class TimelineSvgSummary
{
    /// <summary>A fault's duration when its summary says "for N ms" (or "for Nms").</summary>
    public static double? DurationMs(string summary)
    {
        var words = summary.Split(' ');
        for (var i = 0; i + 1 < words.Length; i++)
        {
            if (words[i] != "for") continue;
            var number = words[i + 1];
            var unitFollows = i + 2 < words.Length && Trim(words[i + 2]) == "ms";
            if (!unitFollows && number.EndsWith("ms", StringComparison.Ordinal)) number = number[..^2];
            else if (!unitFollows) continue;
            if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms)) return ms;
        }
        return null;
    }

    /// <summary>Replaces model ids ("chip 0x13", "0x13") by chip names so labels read in the bench's words.</summary>
    public static string NameChips(string text, TimelineSvgBench bench)
    {
        var named = new System.Text.StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var wordStart = i == 0 || !IsWordChar(text[i - 1]);
            if (wordStart && text.AsSpan(i).StartsWith("chip 0x") && HexId(text, i + 5) is { } chipId && bench.ChipName(chipId) is { } chipName)
            {
                named.Append(chipName);
                i += 9;
            }
            else if (wordStart && text.AsSpan(i).StartsWith("0x") && HexId(text, i) is { } id && bench.ChipName(id) is { } name)
            {
                named.Append(name);
                i += 4;
            }
            else
            {
                named.Append(text[i++]);
            }
        }
        return named.ToString();
    }

    /// <summary>The node named by "the link above X" in a fault description.</summary>
    public static string? LinkAbove(string text)
    {
        const string Phrase = "link above ";
        var at = text.IndexOf(Phrase, StringComparison.Ordinal);
        if (at < 0 || (at > 0 && IsWordChar(text[at - 1]))) return null;
        var word = Words(text[(at + Phrase.Length)..]).FirstOrDefault();
        return string.IsNullOrEmpty(word) ? null : word;
    }

    /// <summary>The words of a text that could be node or link names ("chip1", "chip1-chip2").</summary>
    public static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (IsWordChar(text[i]) || text[i] == '-');
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    private static string Trim(string word) => word.TrimEnd(',', '.', ')', ';', ':');

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>The model id of "0xNN" at <paramref name="at"/> when exactly two hex digits follow and the word ends there.</summary>
    private static byte? HexId(string text, int at)
    {
        if (at + 4 > text.Length || text[at] != '0' || text[at + 1] != 'x') return null;
        if (at + 4 < text.Length && IsWordChar(text[at + 4])) return null;
        return byte.TryParse(text.AsSpan(at + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}
