using System.Xml.Linq;
using static HilRig.Core.Timeline.TimelineSvgCanvas;

namespace HilRig.Core.Timeline;

/// <summary>Lays out and draws one timeline picture; see <see cref="TimelineSvg"/> for what it shows.</summary>
internal sealed partial class TimelineSvgPicture
{
    private const double LeftPx = 112;
    private const double RightMarginPx = 44;
    private const double TitleHeightPx = 40;
    private const double LabelRowPx = 13;
    private const double DotRowPx = 18;
    private const double LaneGapPx = 14;
    private const double BandPx = 34;
    private const double LabelFontPx = 10;
    private const int MaxLabelRows = 4;
    private const string OffPatternId = "hilrig-timeline-off";

    private readonly IReadOnlyList<TimelineEvent> _ordered;
    private readonly TimelineSvgOptions _options;
    private readonly TimelineSvgBench _bench;
    private readonly TimelineSvgCanvas _canvas;
    private readonly IReadOnlyList<LaneDot> _moduleDots;
    private readonly IReadOnlyList<LaneDot> _rigDots;
    private readonly IReadOnlyList<FaultMark> _faults;
    private readonly Dictionary<string, (double Top, double Bottom)> _lanes = new(StringComparer.Ordinal);
    private double _faultTop;
    private int _faultRows;
    private double _axisY;

    public TimelineSvgPicture(IReadOnlyList<TimelineEvent> ordered, TimelineSvgOptions options)
    {
        _ordered = ordered;
        _options = options;
        _bench = new TimelineSvgBench(options);
        var startMs = Math.Min(0, ordered.Count == 0 ? 0 : ordered[0].AtMs);
        var endMs = Math.Max(startMs + 1, ordered.Count == 0 ? 0 : ordered[^1].AtMs);
        _canvas = new TimelineSvgCanvas(startMs, endMs, LeftPx, options.WidthPx - RightMarginPx);
        _moduleDots = TimelineSvgMarks.ModuleDots(ordered, _bench);
        _rigDots = TimelineSvgMarks.RigDots(ordered, _bench);
        _faults = TimelineSvgMarks.Faults(ordered, _bench);
    }

    public string Draw()
    {
        var moduleLabels = PlaceDotLabels(_moduleDots);
        var rigLabels = PlaceDotLabels(_rigDots);
        var faultLabels = PlaceFaultLabels();
        var heightPx = Layout(moduleLabels, rigLabels, faultLabels);

        var root = E("svg",
            new XAttribute("version", "1.1"),
            A("width", _options.WidthPx), A("height", heightPx),
            A("viewBox", $"0 0 {Px(_options.WidthPx)} {Px(heightPx)}"),
            A("font-family", FontFamily),
            E("title", Clean(_options.Title)),
            Defs(),
            Rect(0, 0, _options.WidthPx, heightPx, "#ffffff"),
            Text(LeftPx, 22, _options.Title, 15, "#222222", weight: "bold"),
            Text(LeftPx, 35, Subtitle(), 10, "#666666"));
        root.Add(
            DotLane(_bench.ModuleName, _moduleDots, moduleLabels),
            ChipLanes(),
            _rigDots.Count == 0 ? null : DotLane("rig", _rigDots, rigLabels),
            Faults(faultLabels),
            Axis(),
            Legend(_axisY + 42));
        return Serialize(root);
    }

    private string Subtitle()
    {
        var chips = string.Join(", ", _options.Chips.Select(c => $"{c.Name} (0x{c.ModelId:X2})"));
        return $"{_ordered.Count} events over {Seconds(_canvas.EndMs - _canvas.StartMs)}; {_bench.ModuleName} \u2192 {chips}";
    }

    /// <summary>Assigns y positions to every lane; returns the picture height.</summary>
    private double Layout(List<(LaneDot Dot, int? Row, double LeftPx)> moduleLabels, List<(LaneDot Dot, int? Row, double LeftPx)> rigLabels, List<(FaultMark Fault, int? Row, double LeftPx)> faultLabels)
    {
        var y = TitleHeightPx + 6;
        y = DotLaneLayout(_bench.ModuleName, y, moduleLabels);
        _faultTop = y;
        _faultRows = faultLabels.Count == 0 ? 0 : faultLabels.Max(f => (f.Row ?? 0) + 1);
        y += _faultRows * LabelRowPx;
        foreach (var chip in _bench.ChipNames.Distinct())
        {
            y += LaneGapPx;
            _lanes[chip] = (y, y + BandPx);
            y += BandPx;
        }
        if (_rigDots.Count > 0)
        {
            y = DotLaneLayout("rig", y + 6, rigLabels);
        }
        _axisY = y + 8;
        return _axisY + 42 + LegendHeight();
    }

    private double DotLaneLayout(string lane, double top, List<(LaneDot Dot, int? Row, double LeftPx)> labels)
    {
        var rows = labels.Count == 0 ? 0 : labels.Max(l => (l.Row ?? -1) + 1);
        var bottom = top + rows * LabelRowPx + DotRowPx;
        _lanes[lane] = (top, bottom);
        return bottom;
    }

    private List<(LaneDot Dot, int? Row, double LeftPx)> PlaceDotLabels(IReadOnlyList<LaneDot> dots)
    {
        var rows = new TimelineSvgLabelRows(MaxLabelRows);
        return dots.Select(d =>
        {
            var left = LabelLeft(_canvas.X(d.AtMs), d.Label, -3);
            return (d, d.Label.Length == 0 ? null : rows.Place(left, TextWidthPx(d.Label, LabelFontPx)), left);
        }).ToList();
    }

    private List<(FaultMark Fault, int? Row, double LeftPx)> PlaceFaultLabels()
    {
        var rows = new TimelineSvgLabelRows(MaxLabelRows);
        return _faults.Select(f =>
        {
            var left = LabelLeft(_canvas.X(f.AtMs), f.Label, 3);
            return (f, rows.Place(left, TextWidthPx(f.Label, LabelFontPx)), left);
        }).ToList();
    }

    /// <summary>Labels start at their mark; near the right edge they end there instead, so none is cut off.</summary>
    private double LabelLeft(double x, string label, double offsetPx)
    {
        var width = TextWidthPx(label, LabelFontPx);
        return x + offsetPx + width <= _options.WidthPx - 4 ? x + offsetPx : x - 3 - width;
    }

    private static XElement Defs() =>
        E("defs",
            E("pattern", A("id", OffPatternId), A("patternUnits", "userSpaceOnUse"), A("width", 6), A("height", 6),
                A("patternTransform", "rotate(45)"),
                Rect(0, 0, 6, 6, "#262626"),
                Line(0, 0, 0, 6, "#8c8c8c", 2)));

    private XElement LaneLabel(string name, string? detail, double top, double bottom)
    {
        var middle = (top + bottom) / 2;
        return E("g",
            Text(8, detail is null ? middle + 4 : middle, name, 12, "#222222", weight: "bold"),
            detail is null ? null : Text(8, middle + 12, detail, 9.5, "#777777"));
    }
}
