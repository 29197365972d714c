using System.Xml.Linq;
using static HilRig.Core.Timeline.TimelineSvgCanvas;

namespace HilRig.Core.Timeline;

/// <summary>The dot lanes (module campaign events, rig checks) and the fault markers.</summary>
internal sealed partial class TimelineSvgPicture
{
    private const string FaultStroke = "#d62728";

    private XElement DotLane(string lane, IReadOnlyList<LaneDot> dots, List<(LaneDot Dot, int? Row, double LeftPx)> labels)
    {
        var (top, bottom) = _lanes[lane];
        var dotY = bottom - DotRowPx / 2;
        var group = E("g", A("data-lane", lane),
            LaneLabel(lane, lane == _bench.ModuleName ? "campaign" : "checks", dotY - 6, dotY + 6),
            Rect(LeftPx, top, _canvas.RightPx - LeftPx, bottom - top, "#fafafa"),
            Line(LeftPx, dotY, _canvas.RightPx, dotY, "#c8c8c8", 1),
            TimelineSvgMarks.OffPeriods(_ordered, lane, _canvas.EndMs).Select(p =>
                E("rect", A("data-lane", lane), A("data-mode", TimelineSvgModes.Off), A("data-from-ms", Ms(p.FromMs)), A("data-to-ms", Ms(p.ToMs)),
                    A("x", _canvas.X(p.FromMs)), A("y", dotY - 4), A("width", Math.Max(0, _canvas.X(p.ToMs) - _canvas.X(p.FromMs))), A("height", 8),
                    A("fill", $"url(#{OffPatternId})"), Title($"{lane} off {Seconds(p.FromMs)} \u2013 {Seconds(p.ToMs)}"))));
        foreach (var (dot, row, left) in labels)
        {
            var x = _canvas.X(dot.AtMs);
            var mark = E("g", A("data-kind", dot.Kind), A("data-lane", lane), A("data-at-ms", Ms(dot.AtMs)), Title(dot.Tooltip));
            if (row is { } r)
            {
                var labelY = dotY - 9 - r * LabelRowPx;
                mark.Add(Line(x, dotY - dot.RadiusPx, x, labelY + 2, "#b0b0b0", 0.6), Text(left, labelY, dot.Label, LabelFontPx, "#333333"));
            }
            mark.Add(E("circle", A("cx", x), A("cy", dotY), A("r", dot.RadiusPx), A("fill", dot.Fill), A("stroke", "#333333"), A("stroke-width", 0.6)));
            group.Add(mark);
        }
        if (lane == _bench.ModuleName)
        {
            group.Add(TimelineSvgMarks.Ticks(_ordered, _bench).Where(t => t.Lane == lane).Select(t => Tick(t, dotY - 4, dotY + 6, withLabel: false)));
        }
        return group;
    }

    private XElement Faults(List<(FaultMark Fault, int? Row, double LeftPx)> labels)
    {
        var layer = E("g", A("data-layer", "faults"));
        var chipBottoms = _bench.ChipNames.Select(c => _lanes[c].Bottom).DefaultIfEmpty(_faultTop).Max();
        foreach (var (fault, row, left) in labels)
        {
            var x = _canvas.X(fault.AtMs);
            var labelY = _faultTop + 10 + (row ?? 0) * LabelRowPx;
            var mark = E("g", A("data-kind", "fault"), A("data-source", fault.Source), A("data-lanes", string.Join(' ', fault.Lanes)),
                A("data-at-ms", Ms(fault.AtMs)), fault.DurationMs is { } d ? A("data-duration-ms", Ms(d)) : null, Title(fault.Tooltip),
                Line(x, row is null ? _faultTop : labelY - 9, x, chipBottoms, FaultStroke, 0.8, "2 2"));
            foreach (var lane in fault.Lanes.Where(_lanes.ContainsKey))
            {
                var (top, bottom) = _lanes[lane];
                if (fault.DurationMs is { } durationMs)
                {
                    mark.Add(E("rect", A("x", x), A("y", top), A("width", Math.Max(1, _canvas.X(fault.AtMs + durationMs) - x)), A("height", bottom - top),
                        A("fill", FaultStroke), A("fill-opacity", "0.22")));
                }
                mark.Add(Line(x, top - 2, x, bottom + 2, FaultStroke, 2));
            }
            if (row is not null)
            {
                mark.Add(E("text", A("x", left), A("y", labelY), A("font-size", LabelFontPx), A("fill", FaultStroke), A("font-weight", "bold"), Clean(fault.Label)));
            }
            layer.Add(mark);
        }
        return layer;
    }
}
