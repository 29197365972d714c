using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

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
        if (e.PowerOn is { } on && bench.IsChip(e.Source))
        {
            yield return (e.Source, on ? Booting : Off);
        }
        else if (e.Frame is { } frame && e.Kind == TimelineKind.Frame)
        {
            foreach (var evidence in FrameEvidence(e.Source, frame, bench))
            {
                yield return evidence;
            }
        }
        else if (e.Chip is { } record && bench.IsChip(e.Source))
        {
            // The chip's own record (docs/protocol.md §11.2), whatever language it is written in.
            yield return (e.Source, record.Mode.ToString());
        }
        else if (e.Modes is { } snapshot)
        {
            foreach (var (node, mode) in snapshot)
            {
                if (bench.IsChip(node))
                {
                    yield return (node, mode.ToString());
                }
            }
        }
    }

    private static IEnumerable<(string Chip, string Mode)> FrameEvidence(string link, FrameFacts frame, TimelineSvgBench bench)
    {
        switch (frame.Type)
        {
            case nameof(MessageType.StartAck) when bench.ChipName(frame.Chip) is { } chip && frame.Mode is { } mode:
                yield return (chip, mode.ToString());
                break;
            case nameof(MessageType.StatusResponse) when bench.ChipName(frame.From) is { } chip && frame.Mode is { } mode:
                yield return (chip, mode.ToString());
                break;
            case nameof(MessageType.Complete):
                // Every chip a COMPLETE passes, its sender included, is in the mode the table gives after it (§6.5).
                var after = ModeMachine.AfterComplete.ToString();
                if (bench.ChipName(frame.Chip) is { } sender)
                {
                    yield return (sender, after);
                }
                if (bench.SplitLink(link) is { } split)
                {
                    foreach (var node in new[] { split.Upper, split.Lower }.Where(bench.IsChip))
                    {
                        yield return (node, after);
                    }
                }
                break;
        }
    }
}
