using System.Globalization;
using System.Xml.Linq;
using static HilRig.Core.Timeline.TimelineSvgCanvas;

namespace HilRig.Core.Timeline;

/// <summary>The chip lanes: mode bands, transfer progress, power, garbage and injected frames.</summary>
internal sealed partial class TimelineSvgPicture
{
    private const string ReceivedStroke = "#0b3d91";

    /// <summary>Band colours; the legend lists them in this order.</summary>
    private static readonly (string Mode, string Fill, string Caption)[] ModeFills =
    [
        ("Initial", "#b9dfb3", "Initial"),
        ("Upgrade", "#79aee0", "Upgrade (target)"),
        ("PassThrough", "#d8c9ef", "PassThrough"),
        ("Sleep", "#f2df9b", "Sleep"),
        (TimelineSvgModes.Off, $"url(#{OffPatternId})", "Off"),
        (TimelineSvgModes.Booting, "#e0e0e0", "Booting"),
        (TimelineSvgModes.Unknown, "#f3f3f3", "Not seen yet"),
    ];

    private static string ModeFill(string mode) => ModeFills.FirstOrDefault(m => m.Mode == mode).Fill ?? "#f3f3f3";

    private XElement ChipLanes()
    {
        var bands = TimelineSvgModes.Infer(_ordered, _bench, _canvas.StartMs, _canvas.EndMs);
        var transfers = TimelineSvgProgress.Find(_ordered, _bench, _canvas.EndMs);
        var ticks = TimelineSvgMarks.Ticks(_ordered, _bench);
        var layer = E("g", A("data-layer", "chips"));
        foreach (var chip in _options.Chips.DistinctBy(c => c.Name))
        {
            var (top, bottom) = _lanes[chip.Name];
            layer.Add(E("g", A("data-lane", chip.Name),
                LaneLabel(chip.Name, $"model 0x{chip.ModelId:X2}", top, bottom),
                Rect(LeftPx, top, _canvas.RightPx - LeftPx, BandPx, "#f3f3f3"),
                bands.Where(b => b.Chip == chip.Name).Select(b => Band(b, top)),
                Gridlines(top, bottom),
                E("rect", A("x", LeftPx), A("y", top), A("width", _canvas.RightPx - LeftPx), A("height", BandPx),
                    A("fill", "none"), A("stroke", "#9a9a9a"), A("stroke-width", 0.6)),
                transfers.Where(t => t.Chip == chip.Name).Select(t => Progress(t, top, bottom)),
                ticks.Where(t => t.Lane == chip.Name).Select(t => Tick(t, top, bottom))));
        }
        return layer;
    }

    private XElement Band(ModeBand band, double top)
    {
        var x = _canvas.X(band.FromMs);
        return E("rect",
            A("data-chip", band.Chip), A("data-mode", band.Mode), A("data-from-ms", Ms(band.FromMs)), A("data-to-ms", Ms(band.ToMs)),
            A("x", x), A("y", top), A("width", Math.Max(0, _canvas.X(band.ToMs) - x)), A("height", BandPx), A("fill", ModeFill(band.Mode)),
            Title($"{band.Chip} {band.Mode} {Seconds(band.FromMs)} \u2013 {Seconds(band.ToMs)}"));
    }

    private IEnumerable<XElement> Gridlines(double top, double bottom) =>
        TickTimes().Select(t => Line(_canvas.X(t), top, _canvas.X(t), bottom, "#000000", 0.5, "1 3"));

    private XElement Progress(Transfer transfer, double top, double bottom)
    {
        double Y(long bytes) => bottom - 2 - (transfer.ImageSizeBytes == 0 ? 0 : Math.Clamp((double)bytes / transfer.ImageSizeBytes, 0, 1)) * (BandPx - 4);
        string Points(Func<ProgressPoint, long> value) =>
            string.Join(' ', transfer.Points.Select(p => $"{Px(_canvas.X(p.AtMs))},{Px(Y(value(p)))}"));
        XElement Series(string series, Func<ProgressPoint, long> value, string? dash, double width) =>
            E("polyline", A("data-chip", transfer.Chip), A("data-series", series),
                A("data-from-ms", Ms(transfer.FromMs)), A("data-to-ms", Ms(transfer.ToMs)),
                A("data-size-bytes", transfer.ImageSizeBytes.ToString(CultureInfo.InvariantCulture)), A("data-outcome", transfer.Outcome),
                A("points", Points(value)), A("fill", "none"), A("stroke", ReceivedStroke), A("stroke-width", width),
                A("stroke-linejoin", "round"), dash is null ? null : A("stroke-dasharray", dash));

        var last = transfer.Points.Count == 0 ? null : transfer.Points[^1];
        var percent = last is null || transfer.ImageSizeBytes == 0 ? 0 : 100.0 * last.ReceivedBytes / transfer.ImageSizeBytes;
        var caption = $"{transfer.Chip} transfer {Seconds(transfer.FromMs)} \u2013 {Seconds(transfer.ToMs)}: "
            + $"{last?.ReceivedBytes ?? 0} of {transfer.ImageSizeBytes} bytes ({percent.ToString("0", CultureInfo.InvariantCulture)}%), {transfer.Outcome}";
        return E("g", A("data-kind", "transfer"), A("data-chip", transfer.Chip), Title(caption),
            Series("persisted", p => p.PersistedBytes, "3 2", 1),
            Series("received", p => p.ReceivedBytes, null, 1.8),
            // A stretch cut by power ends under the power marker; its tooltip still says how far it got.
            last is null || transfer.Outcome == TimelineSvgProgress.PowerOff ? null : Text(_canvas.X(last.AtMs) + 3, Math.Clamp(Y(last.ReceivedBytes) + 3, top + 9, bottom - 2),
                $"{percent.ToString("0", CultureInfo.InvariantCulture)}%", 9, ReceivedStroke, weight: "bold"));
    }

    private static object?[] CheckMark(double x, double y, bool passed) =>
    [
        E("circle", A("cx", x), A("cy", y), A("r", 5), A("fill", passed ? "#2ca02c" : FaultStroke), A("stroke", "#ffffff"), A("stroke-width", 1)),
        E("path", A("d", passed
                ? $"M {Px(x - 2.5)} {Px(y)} L {Px(x - 0.5)} {Px(y + 2)} L {Px(x + 2.5)} {Px(y - 2)}"
                : $"M {Px(x - 2)} {Px(y - 2)} L {Px(x + 2)} {Px(y + 2)} M {Px(x - 2)} {Px(y + 2)} L {Px(x + 2)} {Px(y - 2)}"),
            A("fill", "none"), A("stroke", "#ffffff"), A("stroke-width", 1.4)),
    ];

    private XElement Tick(LaneTick tick, double top, double bottom, bool withLabel = true)
    {
        var x = _canvas.X(tick.AtMs);
        var mark = tick.Kind switch
        {
            "power" => new object?[]
            {
                Line(x, top - 3, x, bottom, "#000000", 1.4),
                E("path", A("d", tick.Label == "off"
                    ? $"M {Px(x - 4)} {Px(top - 9)} L {Px(x + 4)} {Px(top - 9)} L {Px(x)} {Px(top - 3)} Z"
                    : $"M {Px(x - 4)} {Px(top - 3)} L {Px(x + 4)} {Px(top - 3)} L {Px(x)} {Px(top - 9)} Z"), A("fill", "#000000")),
                withLabel ? Text(x + 6, top - 3, tick.Label, 9, "#000000") : null,
            },
            "garbage" => [Line(x, bottom - 9, x, bottom, "#ff7f0e", 2)],
            TimelineSvgMarks.FrameFaultKind => [Line(x, bottom - 7, x, bottom + 2, FaultStroke, 1.5)],
            "verify" or TimelineSvgMarks.FailedCheckKind => CheckMark(x, top + BandPx / 2, tick.Kind == "verify"),
            _ => [Line(x, top, x, top + 6, "#9467bd", 1.2)],
        };
        return E("g", A("data-kind", tick.Kind), A("data-lane", tick.Lane), A("data-at-ms", Ms(tick.AtMs)), Title(tick.Tooltip), mark);
    }
}
