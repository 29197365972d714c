using HilRig.Protocol.Messages;

namespace HilRig.Core.Timeline;

/// <summary>One stretch of time during which a chip was (as far as the timeline shows) in one mode.</summary>
/// <param name="Chip">Chip name.</param>
/// <param name="Mode">A <see cref="ChipMode"/> name, or <see cref="TimelineSvgModes.Off"/>, <see cref="TimelineSvgModes.Booting"/>, <see cref="TimelineSvgModes.Unknown"/>.</param>
/// <param name="FromMs">Start, in timeline milliseconds.</param>
/// <param name="ToMs">End, in timeline milliseconds.</param>
internal sealed record ModeBand(string Chip, string Mode, double FromMs, double ToMs);

/// <summary>
/// Works out each chip's mode over time from what the timeline saw: START_ACK and STATUS frames
/// (mode=...), COMPLETE passing a chip (every chip that forwards or sends it is back in Initial,
/// docs/protocol.md §6), the chip's own boot and mark log lines, rig mode snapshots, and power.
/// </summary>
internal static class TimelineSvgModes
{
    /// <summary>Powered off: only a power-on ends this.</summary>
    public const string Off = "Off";

    /// <summary>Powered on again; mode not yet seen.</summary>
    public const string Booting = "Booting";

    /// <summary>Nothing seen yet.</summary>
    public const string Unknown = "Unknown";

    public static IReadOnlyList<ModeBand> Infer(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench, double startMs, double endMs)
    {
        var current = bench.ChipNames.Distinct().ToDictionary(c => c, _ => (Mode: Unknown, FromMs: startMs));
        var bands = new List<ModeBand>();
        foreach (var e in ordered)
        {
            foreach (var (chip, mode) in Evidence(e, bench))
            {
                var (was, fromMs) = current[chip];
                // A frame or log line read after power was cut (a reader draining late) must not revive the chip.
                if (was == mode || (was == Off && mode != Booting))
                {
                    continue;
                }
                if (e.AtMs > fromMs)
                {
                    bands.Add(new ModeBand(chip, was, fromMs, e.AtMs));
                }
                current[chip] = (mode, e.AtMs);
            }
        }
        foreach (var (chip, (mode, fromMs)) in current)
        {
            bands.Add(new ModeBand(chip, mode, fromMs, Math.Max(fromMs, endMs)));
        }
        var order = bench.ChipNames.Select((name, index) => (name, index)).GroupBy(p => p.name).ToDictionary(g => g.Key, g => g.First().index);
        return bands.OrderBy(b => order[b.Chip]).ThenBy(b => b.FromMs).ToList();
    }

    private static IEnumerable<(string Chip, string Mode)> Evidence(TimelineEvent e, TimelineSvgBench bench)
    {
        switch (e.Kind)
        {
            case "power" when bench.IsChip(e.Source):
                if (e.Summary == "off")
                {
                    yield return (e.Source, Off);
                }
                else if (e.Summary == "on")
                {
                    yield return (e.Source, Booting);
                }
                break;
            case "frame":
                foreach (var evidence in FrameEvidence(e, bench))
                {
                    yield return evidence;
                }
                break;
            case "log" when bench.IsChip(e.Source) && TimelineSvgSummary.LoggedMode(e.Summary) is { } logged:
                yield return (e.Source, logged.ToString());
                break;
            case "modes":
                foreach (var (node, mode) in TimelineSvgSummary.SnapshotModes(e.Summary))
                {
                    if (bench.IsChip(node))
                    {
                        yield return (node, mode.ToString());
                    }
                }
                break;
        }
    }

    private static IEnumerable<(string Chip, string Mode)> FrameEvidence(TimelineEvent e, TimelineSvgBench bench)
    {
        switch (TimelineSvgSummary.FrameType(e.Summary))
        {
            case "StartAck" when bench.ChipName(TimelineSvgSummary.PayloadChip(e.Summary)) is { } chip && TimelineSvgSummary.Mode(e.Summary) is { } mode:
                yield return (chip, mode.ToString());
                break;
            case "StatusResponse" when bench.ChipName(TimelineSvgSummary.SenderModelId(e.Summary)) is { } chip && TimelineSvgSummary.Mode(e.Summary) is { } mode:
                yield return (chip, mode.ToString());
                break;
            case "Complete":
                if (bench.ChipName(TimelineSvgSummary.PayloadChip(e.Summary)) is { } sender)
                {
                    yield return (sender, nameof(ChipMode.Initial));
                }
                if (bench.SplitLink(e.Source) is { } link)
                {
                    foreach (var node in new[] { link.Upper, link.Lower }.Where(bench.IsChip))
                    {
                        yield return (node, nameof(ChipMode.Initial));
                    }
                }
                break;
        }
    }
}
