using System.Text;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Text for a terminal or a log line: each control character (an ESC from a chip's log, a NUL, a BEL) is written as
/// <c>\xNN</c>, so a scenario's text cannot clear, recolour or hide what the terminal shows.
/// </summary>
internal static class PrintableText
{
    /// <summary><paramref name="text"/> with its control characters as <c>\xNN</c>; tabs stay, and line breaks when <paramref name="keepLineBreaks"/>.</summary>
    public static string Of(string text, bool keepLineBreaks)
    {
        bool Hidden(char c) => char.IsControl(c) && c != '\t' && !(keepLineBreaks && c is '\n' or '\r');
        if (!text.Any(Hidden))
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Hidden(c))
            {
                printable.Append(@"\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                printable.Append(c);
            }
        }

        return printable.ToString();
    }
}
