namespace HilRig.Core.Timeline;

/// <summary>A labelled dot in the module or rig lane.</summary>
/// <param name="AtMs">When.</param>
/// <param name="Kind">The timeline event kind it came from.</param>
/// <param name="Label">Text next to the dot; empty for frequent events (progress) that would only crowd the lane.</param>
/// <param name="Tooltip">Full text.</param>
/// <param name="Fill">Dot colour.</param>
/// <param name="RadiusPx">Dot size.</param>
internal sealed record LaneDot(double AtMs, string Kind, string Label, string Tooltip, string Fill, double RadiusPx);

/// <summary>A fault the rig injected.</summary>
/// <param name="AtMs">When it was applied.</param>
/// <param name="DurationMs">How long it lasted, when the summary says ("for 500 ms").</param>
/// <param name="Source">What it hit (node or link).</param>
/// <param name="Label">Short text shown above the lanes.</param>
/// <param name="Tooltip">Full text.</param>
/// <param name="Lanes">Lanes it hit; every chip lane when the source is not a node or link of the bench.</param>
internal sealed record FaultMark(double AtMs, double? DurationMs, string Source, string Label, string Tooltip, IReadOnlyList<string> Lanes);

/// <summary>A small tick in a chip lane: a power change, garbage on the link above, or a frame the rig injected.</summary>
/// <param name="AtMs">When.</param>
/// <param name="Lane">Node lane it is drawn in.</param>
/// <param name="Kind">"power", "garbage" or "inject".</param>
/// <param name="Label">Short text ("off", "on"), or empty.</param>
/// <param name="Tooltip">Full text.</param>
internal sealed record LaneTick(double AtMs, string Lane, string Kind, string Label, string Tooltip);

/// <summary>Sorts the point-like events of a timeline into the marks each lane shows.</summary>
internal static class TimelineSvgMarks
{
    public const int MaxLabelChars = 44;

    public const int MaxFaultLabelChars = 64;

    /// <summary>Tick kind for what a fault did to one frame on a link.</summary>
    public const string FrameFaultKind = "fault-frame";

    /// <summary>Tick kind for a chip check that failed.</summary>
    public const string FailedCheckKind = "verify-failed";

    /// <summary>Module events that report a failure (docs/protocol.md §11.1).</summary>
    private static readonly HashSet<string> ModuleFailures = ["campaign-failed", "prepare-refused", "order-refused", "campaign-refused", "control-error", "start-answers-missing"];

    private static readonly string[] FailureWords = ["fail", "error", "abort", "refused", "timeout", "timed out", "gave up", "give up", "mismatch", "differ"];

    public static IReadOnlyList<LaneDot> ModuleDots(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench) =>
        ordered.Where(e => (e.Kind == "event" && e.Source == bench.ModuleName) || e.Kind is "campaign" or "connect")
            .Select(e =>
            {
                var text = TimelineSvgSummary.NameChips(e.Summary, bench);
                var tooltip = $"{TimelineSvgCanvas.Seconds(e.AtMs)} {e.Source} {e.Kind}: {e.Summary}";
                // The module's event name (docs/protocol.md §11.1) from its typed record; a timeline written before
                // events were typed names it as the first word of the summary.
                var name = e.Module?.Event ?? e.Summary.Split(' ')[0];
                if (name == "progress" || e.Kind == TimelineKind.Connect)
                {
                    return new LaneDot(e.AtMs, e.Kind, "", tooltip, e.Kind == TimelineKind.Connect ? "#ffffff" : "#9a9a9a", 2.5);
                }
                var fill = ModuleFailures.Contains(name) || IsFailure(text) ? "#d62728"
                    : name is "chip-complete" or "campaign-complete" ? "#2ca02c"
                    : name == "chip-start" ? "#1f77b4"
                    : e.Kind == TimelineKind.Event ? "#555555" : "#ffffff";
                return new LaneDot(e.AtMs, e.Kind, TimelineSvgCanvas.Shorten(text, MaxLabelChars), tooltip, fill, 4);
            })
            .ToList();

    /// <summary>Rig checks and mode snapshots not tied to one chip (chip verdicts are drawn in the chip's lane).</summary>
    public static IReadOnlyList<LaneDot> RigDots(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench) =>
        ordered.Where(e => e.Kind == "modes" || (e.Kind == "verify" && !bench.IsChip(e.Source)))
            .Select(e =>
            {
                var tooltip = $"{TimelineSvgCanvas.Seconds(e.AtMs)} {e.Source} {e.Kind}: {e.Summary}";
                return e.Kind == "modes"
                    ? new LaneDot(e.AtMs, e.Kind, "modes", tooltip, "#9467bd", 3.5)
                    : new LaneDot(e.AtMs, e.Kind, TimelineSvgCanvas.Shorten(TimelineSvgSummary.NameChips(e.Summary, bench), MaxLabelChars), tooltip,
                        IsFailedCheck(e.Summary) ? "#d62728" : "#2ca02c", 4);
            })
            .ToList();

    /// <summary>
    /// Faults the rig applied (power cuts, broken links, corruption plans). What a fault did to single frames on a
    /// link ("Data ... dropped", "... lost on a broken link") is drawn as ticks instead, see <see cref="Ticks"/>.
    /// </summary>
    public static IReadOnlyList<FaultMark> Faults(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench)
    {
        // Parents as the relay links name them ("chip2-chip3"), for faults that say "the link above chip3".
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in ordered.Select(e => bench.SplitLink(e.Source)).OfType<(string Upper, string Lower)>())
        {
            parents.TryAdd(link.Lower, link.Upper);
        }
        return ordered.Where(e => e.Kind == "fault" && !IsFrameEffect(e, bench))
            .Select(e => new FaultMark(e.AtMs, TimelineSvgSummary.DurationMs(e.Summary), e.Source,
                TimelineSvgCanvas.Shorten(TimelineSvgSummary.NameChips(e.Summary, bench), MaxFaultLabelChars),
                $"{TimelineSvgCanvas.Seconds(e.AtMs)} fault ({e.Source}): {e.Summary}", FaultLanes(e, bench, parents)))
            .ToList();
    }

    public static IReadOnlyList<LaneTick> Ticks(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench)
    {
        var ticks = new List<LaneTick>();
        foreach (var e in ordered)
        {
            var tooltip = $"{TimelineSvgCanvas.Seconds(e.AtMs)} {e.Source} {e.Kind}{(e.Direction is null ? "" : " " + e.Direction)}: {e.Summary}";
            switch (e.Kind)
            {
                case "power" when bench.IsChip(e.Source) || e.Source == bench.ModuleName:
                    ticks.Add(new LaneTick(e.AtMs, e.Source, e.Kind, TimelineSvgCanvas.Shorten(e.Summary, 8), tooltip));
                    break;
                case "garbage" or "inject" when bench.SplitLink(e.Source) is { } link:
                    ticks.Add(new LaneTick(e.AtMs, link.Lower, e.Kind, "", tooltip));
                    break;
                case "fault" when IsFrameEffect(e, bench):
                    ticks.Add(new LaneTick(e.AtMs, bench.SplitLink(e.Source)!.Value.Lower, FrameFaultKind, "", tooltip));
                    break;
                case "verify" when bench.IsChip(e.Source):
                    ticks.Add(new LaneTick(e.AtMs, e.Source, IsFailedCheck(e.Summary) ? FailedCheckKind : e.Kind, "", tooltip));
                    break;
            }
        }
        return ticks;
    }

    /// <summary>When a node was powered off: from each "off" to the next "on", or to the end.</summary>
    public static IReadOnlyList<(double FromMs, double ToMs)> OffPeriods(IReadOnlyList<TimelineEvent> ordered, string node, double endMs)
    {
        var periods = new List<(double, double)>();
        double? offAt = null;
        foreach (var e in ordered.Where(e => e.Kind == "power" && e.Source == node))
        {
            if (e.PowerOn == false)
            {
                offAt ??= e.AtMs;
            }
            else if (e.PowerOn == true && offAt is { } from)
            {
                periods.Add((from, e.AtMs));
                offAt = null;
            }
        }
        if (offAt is { } stillOff)
        {
            periods.Add((stillOff, Math.Max(stillOff, endMs)));
        }
        return periods;
    }

    /// <summary>A fault's effect on one frame, as the relay reports it: the frame's summary, then what happened to it.</summary>
    private static bool IsFrameEffect(TimelineEvent e, TimelineSvgBench bench) =>
        bench.SplitLink(e.Source) is not null && e.Frame is not null;

    /// <summary>
    /// The lanes a fault hit: its source when that is a node or a link, else the nodes its summary names before
    /// the trigger in parentheses ("power off chip1, chip2 for 300 ms (at 50% of chip3's transfer)"), else every chip.
    /// </summary>
    private static IReadOnlyList<string> FaultLanes(TimelineEvent e, TimelineSvgBench bench, Dictionary<string, string> parents)
    {
        if (e.Source == bench.ModuleName || bench.IsChip(e.Source))
        {
            return [e.Source];
        }
        if (bench.SplitLink(e.Source) is { } link)
        {
            return [link.Upper, link.Lower];
        }
        var action = e.Summary.Split('(')[0];
        var above = TimelineSvgSummary.LinkAbove(action) is { } below && parents.TryGetValue(below, out var parent) ? new[] { parent } : [];
        var named = above.Concat(TimelineSvgSummary.Words(action)
                .SelectMany(w => bench.SplitLink(w) is { } l ? [l.Upper, l.Lower] : w == bench.ModuleName || bench.IsChip(w) ? new[] { w } : []))
            .Distinct()
            .ToList();
        return named.Count > 0 ? named : bench.ChipNames;
    }

    private static bool IsFailedCheck(string summary) => summary.StartsWith("NOT ", StringComparison.Ordinal) || IsFailure(summary);

    private static bool IsFailure(string text) => FailureWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
}
