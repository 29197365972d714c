using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace HilRig.Core.Timeline;

/// <summary>
/// SVG building blocks: the time scale, elements in the SVG namespace, invariant number formatting and
/// text cleaning. Elements are built with System.Xml.Linq so every attribute and text node is escaped.
/// </summary>
internal sealed class TimelineSvgCanvas(double startMs, double endMs, double leftPx, double rightPx)
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public const string FontFamily = "DejaVu Sans, Verdana, Arial, sans-serif";

    public double StartMs { get; } = startMs;

    public double EndMs { get; } = endMs;

    public double LeftPx { get; } = leftPx;

    public double RightPx { get; } = rightPx;

    /// <summary>Horizontal position of a moment.</summary>
    public double X(double atMs) => LeftPx + (Math.Clamp(atMs, StartMs, EndMs) - StartMs) / (EndMs - StartMs) * (RightPx - LeftPx);

    /// <summary>Pixels: one decimal, invariant.</summary>
    public static string Px(double value) => Fixed(value, "0.0");

    /// <summary>Milliseconds in data-* attributes: three decimals, invariant.</summary>
    public static string Ms(double value) => Fixed(value, "0.000");

    /// <summary>Seconds for people: three decimals, invariant.</summary>
    public static string Seconds(double ms) => Fixed(ms / 1000, "0.000") + " s";

    public static XElement E(string name, params object?[] content) => new(Svg + name, content);

    public static XAttribute A(string name, string value) => new(name, Clean(value));

    public static XAttribute A(string name, double px) => new(name, Px(px));

    public static XElement Title(string text) => E("title", Clean(text));

    public static XElement Text(double x, double y, string text, double fontPx, string fill, string anchor = "start", string weight = "normal") =>
        E("text", A("x", x), A("y", y), A("font-size", fontPx), A("fill", fill), A("text-anchor", anchor),
            weight == "normal" ? null : A("font-weight", weight), Clean(text));

    public static XElement Line(double x1, double y1, double x2, double y2, string stroke, double width, string? dash = null) =>
        E("line", A("x1", x1), A("y1", y1), A("x2", x2), A("y2", y2), A("stroke", stroke), A("stroke-width", width),
            dash is null ? null : A("stroke-dasharray", dash));

    public static XElement Rect(double x, double y, double width, double height, string fill) =>
        E("rect", A("x", x), A("y", y), A("width", Math.Max(0, width)), A("height", Math.Max(0, height)), A("fill", fill));

    /// <summary>Rough rendered width of a label, enough to keep labels from overlapping.</summary>
    public static double TextWidthPx(string text, double fontPx) => text.Length * fontPx * 0.6;

    /// <summary>Cuts a label to a length, marking the cut.</summary>
    public static string Shorten(string text, int maxChars) => text.Length <= maxChars ? text : text[..(maxChars - 1)] + "\u2026";

    /// <summary>
    /// Replaces characters XML 1.0 cannot carry at all (control bytes from a garbled UART line, lone surrogates)
    /// with U+FFFD; &lt; &amp; &gt; and quotes are escaped later by the writer.
    /// </summary>
    public static string Clean(string text)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c);
            if (pair)
            {
                cleaned?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (XmlConvert.IsXmlChar(c))
            {
                cleaned?.Append(c);
                continue;
            }
            cleaned ??= new StringBuilder(text, 0, i, text.Length);
            cleaned.Append('\uFFFD');
        }
        return cleaned?.ToString() ?? text;
    }

    /// <summary>Writes the picture as indented XML without a declaration, so it can also be inlined in HTML.</summary>
    public static string Serialize(XElement root)
    {
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true, IndentChars = " ", NewLineChars = "\n", NewLineHandling = NewLineHandling.Entitize };
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, settings))
        {
            root.Save(writer);
        }
        return text.Append('\n').ToString();
    }

    private static string Fixed(double value, string format)
    {
        var text = (double.IsFinite(value) ? value : 0).ToString(format, CultureInfo.InvariantCulture);
        // "-0.0" and "0.0" are the same place; print it one way so equal inputs give equal bytes.
        return text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0 ? text[1..] : text;
    }
}

/// <summary>
/// Stacks labels in rows so they do not overlap: each label goes into the first row whose last label
/// ends left of it; when every row is taken the label is dropped (its mark keeps a tooltip).
/// </summary>
internal sealed class TimelineSvgLabelRows(int maxRows, double gapPx = 6)
{
    private readonly List<double> _rowEnds = new();

    public int RowsUsed => _rowEnds.Count;

    public int? Place(double leftPx, double widthPx)
    {
        for (var row = 0; row < _rowEnds.Count; row++)
        {
            if (_rowEnds[row] + gapPx <= leftPx)
            {
                _rowEnds[row] = leftPx + widthPx;
                return row;
            }
        }
        if (_rowEnds.Count >= maxRows)
        {
            return null;
        }
        _rowEnds.Add(leftPx + widthPx);
        return _rowEnds.Count - 1;
    }
}
