using System.Globalization;
using System.Xml.Linq;
using static HilRig.Core.Timeline.TimelineSvgCanvas;

namespace HilRig.Core.Timeline;

/// <summary>The time axis and the legend.</summary>
internal sealed partial class TimelineSvgPicture
{
    private const double TickSpacingPx = 90;
    private const double LegendRowPx = 18;

    /// <summary>Round tick times (1, 2 or 5 × a power of ten ms) about <see cref="TickSpacingPx"/> apart.</summary>
    private IReadOnlyList<double> TickTimes()
    {
        var step = TickStepMs();
        var first = (long)Math.Ceiling(_canvas.StartMs / step);
        var last = (long)Math.Floor(_canvas.EndMs / step + 1e-9);
        var times = new List<double>();
        for (var k = first; k <= last; k++)
        {
            times.Add(k * step);
        }
        return times;
    }

    private double TickStepMs()
    {
        var wanted = (_canvas.EndMs - _canvas.StartMs) / Math.Max(2, (_canvas.RightPx - _canvas.LeftPx) / TickSpacingPx);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(wanted, 1))));
        return new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= wanted || s >= 10 * magnitude);
    }

    private XElement Axis()
    {
        var step = TickStepMs();
        var decimals = step >= 1000 ? "0" : step >= 100 ? "0.0" : step >= 10 ? "0.00" : "0.000";
        var axis = E("g", A("data-layer", "axis"),
            Line(LeftPx, _axisY, _canvas.RightPx, _axisY, "#333333", 1));
        foreach (var t in TickTimes())
        {
            var x = _canvas.X(t);
            axis.Add(Line(x, _axisY, x, _axisY + 5, "#333333", 1),
                Text(x, _axisY + 17, (t / 1000).ToString(decimals, CultureInfo.InvariantCulture), 10, "#333333", "middle"));
        }
        axis.Add(Text(_canvas.RightPx, _axisY + 31, "time since the scenario started (s)", 10, "#666666", "end"));
        return axis;
    }

    private static IReadOnlyList<(string Caption, Func<double, double, XElement> Swatch)> LegendItems() =>
        ModeFills.Select(m => (m.Caption, (Func<double, double, XElement>)((x, y) =>
                E("rect", A("x", x), A("y", y - 9), A("width", 16), A("height", 10), A("fill", m.Fill), A("stroke", "#9a9a9a"), A("stroke-width", 0.6)))))
            .Concat(new (string, Func<double, double, XElement>)[]
            {
                ("received", (x, y) => Line(x, y - 4, x + 16, y - 4, ReceivedStroke, 1.8)),
                ("persisted", (x, y) => Line(x, y - 4, x + 16, y - 4, ReceivedStroke, 1, "3 2")),
                ("fault", (x, y) => Line(x + 8, y - 11, x + 8, y + 2, FaultStroke, 2)),
                ("power off/on", (x, y) => E("path", A("d", $"M {Px(x + 4)} {Px(y - 9)} L {Px(x + 12)} {Px(y - 9)} L {Px(x + 8)} {Px(y - 2)} Z"), A("fill", "#000000"))),
                ("garbage", (x, y) => Line(x + 8, y - 10, x + 8, y + 1, "#ff7f0e", 2)),
                ("frame lost/damaged", (x, y) => Line(x + 8, y - 8, x + 8, y + 1, FaultStroke, 1.5)),
                ("injected frame", (x, y) => Line(x + 8, y - 10, x + 8, y - 3, "#9467bd", 1.2)),
                ("check passed/failed", (x, y) => E("g", CheckMark(x + 8, y - 4, passed: true))),
            })
            .ToList();

    private static double LegendItemWidthPx(string caption) => 22 + TextWidthPx(caption, 10) + 14;

    private double LegendHeight()
    {
        var rows = 1;
        var x = LeftPx;
        foreach (var (caption, _) in LegendItems())
        {
            if (x + LegendItemWidthPx(caption) > _canvas.RightPx && x > LeftPx)
            {
                rows++;
                x = LeftPx;
            }
            x += LegendItemWidthPx(caption);
        }
        return rows * LegendRowPx;
    }

    private XElement Legend(double top)
    {
        var legend = E("g", A("data-layer", "legend"));
        var x = LeftPx;
        var y = top + 10;
        foreach (var (caption, swatch) in LegendItems())
        {
            if (x + LegendItemWidthPx(caption) > _canvas.RightPx && x > LeftPx)
            {
                x = LeftPx;
                y += LegendRowPx;
            }
            legend.Add(swatch(x, y), Text(x + 22, y, caption, 10, "#333333"));
            x += LegendItemWidthPx(caption);
        }
        return legend;
    }
}
