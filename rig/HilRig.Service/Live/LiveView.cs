using System.Text.Json;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Service.Live;

/// <summary>A chip as the live page shows it.</summary>
/// <param name="Name">Chip name from the wiring file.</param>
/// <param name="ModelId">Model id, hex.</param>
/// <param name="Mode">Last mode seen (from its STATUS, START_ACK, COMPLETE frames and its chip records, docs/protocol.md §11.2), "off" while unpowered, or "?".</param>
/// <param name="Version">Last version seen, if any.</param>
/// <param name="Offset">Bytes of its image acknowledged so far in the current transfer.</param>
/// <param name="Size">Size of the image in the current transfer, or 0.</param>
public sealed record LiveChip(string Name, string ModelId, string Mode, string? Version, long Offset, long Size);

/// <summary>One timeline event as the page shows it.</summary>
public sealed record LiveEvent(int Index, double AtMs, string Source, string Kind, string Summary);

/// <summary>What the live page shows of a run: its current scenario, chips, faults and timeline.</summary>
public sealed record LiveState(string? Scenario, int ScenariosStarted, IReadOnlyList<LiveChip> Chips, IReadOnlyList<LiveEvent> Faults, IReadOnlyList<LiveEvent> Events, int EventCount);

/// <summary>
/// Builds the live state of a run from what `hilrig run` writes as it goes: the newest scenario's
/// timeline.ndjson under reports/scenarios/. The page polls it; <c>since</c> gives only new events.
/// </summary>
public static class LiveView
{
    /// <summary>Most events returned in one answer.</summary>
    public const int MaxEvents = 400;

    /// <summary>The live state of the run whose reports are in <paramref name="reportsDirectory"/>.</summary>
    public static LiveState Build(string reportsDirectory, BenchWiring? wiring, int since)
    {
        var scenarios = Path.Combine(reportsDirectory, "scenarios");
        var directories = Directory.Exists(scenarios)
            ? Directory.EnumerateDirectories(scenarios, "*", SearchOption.AllDirectories)
                .Where(d => File.Exists(Path.Combine(d, "timeline.ndjson")))
                .OrderBy(d => File.GetCreationTimeUtc(Path.Combine(d, "timeline.ndjson")))
                .ToList()
            : [];
        var chips = (wiring?.Chips ?? []).ToDictionary(c => c.Name, c => new LiveChip(c.Name, $"0x{c.ModelId:X2}", "?", null, 0, 0), StringComparer.Ordinal);
        if (directories.Count == 0)
        {
            return new LiveState(null, 0, [.. chips.Values], [], [], 0);
        }
        var current = directories[^1];
        var events = Read(Path.Combine(current, "timeline.ndjson"));
        var byModel = (wiring?.Chips ?? []).ToDictionary(c => c.ModelId, c => c.Name);
        var faults = new List<LiveEvent>();
        var scenario = (string?)null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Kind == TimelineKind.Scenario) scenario = e.Summary;
            if (e.Kind is TimelineKind.Fault or TimelineKind.FaultArmed or TimelineKind.FaultDone) faults.Add(new LiveEvent(i, e.AtMs, e.Source, e.Kind, e.Summary));
            Apply(e, chips, byModel);
        }
        var from = Math.Max(Math.Max(0, since), events.Count - MaxEvents);
        var tail = events.Skip(from).Select((e, k) => new LiveEvent(from + k, e.AtMs, e.Source, e.Kind, e.Summary)).ToList();
        return new LiveState(scenario ?? Path.GetFileName(current), directories.Count, [.. chips.Values], faults, tail, events.Count);
    }

    private static void Apply(TimelineEvent e, Dictionary<string, LiveChip> chips, Dictionary<byte, string> byModel)
    {
        // Every fact comes from the event's typed fields (a chip's power, its record, decoded frames), never its text.
        if (chips.TryGetValue(e.Source, out var chip))
        {
            if (e.PowerOn is { } on)
            {
                chips[e.Source] = chip with { Mode = !on ? "off" : chip.Mode == "off" ? "?" : chip.Mode };
                return;
            }
            if (e.Chip is { } record)
            {
                chips[e.Source] = chip with
                {
                    Mode = record.Mode.ToString(), Version = record.Version.ToString(),
                    Size = record.Mode == ChipMode.Upgrade && record.ImageSizeBytes is { } size ? size : chip.Size,
                    Offset = record.Mode == ChipMode.Upgrade ? Math.Max(chip.Offset, record.PersistedOffset) : chip.Offset,
                };
                return;
            }
        }
        if (e.Module is { Event: "progress" or "chip-start" or "chip-complete", Chip: { } target } progress && Named(target) is { } module)
        {
            chips[module] = chips[module] with { Offset = progress.Offset ?? chips[module].Offset, Size = progress.SizeBytes ?? chips[module].Size };
        }
        if (e.Kind != TimelineKind.Frame || e.Frame is not { } f)
        {
            return;
        }
        switch (f.Type)
        {
            case nameof(MessageType.StatusResponse) when f.Mode is { } mode && Named(f.From) is { } name:
                chips[name] = chips[name] with { Mode = mode.ToString(), Version = f.Version ?? chips[name].Version, Size = f.SizeBytes is > 0 ? f.SizeBytes.Value : chips[name].Size };
                break;
            case nameof(MessageType.StartAck) when f.Mode is { } mode && Named(f.Chip) is { } name:
                chips[name] = chips[name] with { Mode = mode.ToString(), Offset = mode == ChipMode.Upgrade ? f.Offset ?? 0 : chips[name].Offset };
                break;
            case nameof(MessageType.DataAck) when f.Next is { } next && Named(f.From) is { } name:
                chips[name] = chips[name] with { Offset = next };
                break;
            case nameof(MessageType.Complete) when f.Status == nameof(CompleteStatus.Activated) && Named(f.Chip) is { } name:
                chips[name] = chips[name] with { Mode = ModeMachine.AfterComplete.ToString(), Version = f.Version, Offset = chips[name].Size };
                break;
        }

        string? Named(byte? id) => id is { } model && byModel.TryGetValue(model, out var name) ? name : null;
    }

    private static List<TimelineEvent> Read(string path)
    {
        var events = new List<TimelineEvent>();
        try
        {
            // The runner is still writing: share the file and stop at a half-written last line.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                try
                {
                    if (JsonSerializer.Deserialize<TimelineEvent>(line, Web) is { } e) events.Add(e);
                }
                catch (JsonException)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
        }
        return events;
    }

    private static readonly JsonSerializerOptions Web = TimelineJson.Options;
}
