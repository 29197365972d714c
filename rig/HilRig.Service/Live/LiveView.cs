using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Service.Live;

/// <summary>A chip as the live page shows it.</summary>
/// <param name="Name">Chip name from the wiring file.</param>
/// <param name="ModelId">Model id, hex.</param>
/// <param name="Mode">Last mode seen (from its STATUS, START_ACK, COMPLETE frames and its mark writes), "off" while unpowered, or "?".</param>
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
public static partial class LiveView
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
            if (e.Kind == "scenario") scenario = e.Summary;
            if (e.Kind is "fault" or "fault-armed" or "fault-done") faults.Add(new LiveEvent(i, e.AtMs, e.Source, e.Kind, e.Summary));
            Apply(e, chips, byModel);
        }
        var from = Math.Max(Math.Max(0, since), events.Count - MaxEvents);
        var tail = events.Skip(from).Select((e, k) => new LiveEvent(from + k, e.AtMs, e.Source, e.Kind, e.Summary)).ToList();
        return new LiveState(scenario ?? Path.GetFileName(current), directories.Count, [.. chips.Values], faults, tail, events.Count);
    }

    private static void Apply(TimelineEvent e, Dictionary<string, LiveChip> chips, Dictionary<byte, string> byModel)
    {
        // A chip's power and its own log lines name it; frames name it by model id.
        if (chips.TryGetValue(e.Source, out var chip))
        {
            if (e.Kind == "power")
            {
                chips[e.Source] = chip with { Mode = e.Summary.StartsWith("off", StringComparison.Ordinal) ? "off" : chip.Mode == "off" ? "?" : chip.Mode };
                return;
            }
            if (e.Kind == "log" && MarkMode().Match(e.Summary) is { Success: true } mark)
            {
                chips[e.Source] = chip with { Mode = mark.Groups[1].Value };
                return;
            }
        }
        if (e.Kind == "frame" && FrameMode().Match(e.Summary) is { Success: true } frame
            && byte.TryParse(frame.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id) && byModel.TryGetValue(id, out var name))
        {
            var version = VersionOf().Match(e.Summary) is { Success: true } v ? v.Groups[1].Value : chips[name].Version;
            chips[name] = chips[name] with { Mode = frame.Groups[2].Value, Version = version };
        }
        if (e.Kind == "frame" && CompleteFrame().Match(e.Summary) is { Success: true } complete
            && byte.TryParse(complete.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var done) && byModel.TryGetValue(done, out var doneName))
        {
            chips[doneName] = chips[doneName] with { Mode = "Initial", Version = complete.Groups[2].Value, Offset = chips[doneName].Size };
        }
        if (e.Source == ModuleWiring.Name && e.Kind == "log" && ProgressJson().Match(e.Summary) is { Success: true } progress)
        {
            try
            {
                using var json = JsonDocument.Parse(progress.Value);
                var root = json.RootElement;
                if (root.TryGetProperty("chip", out var c) && c.TryGetByte(out var model) && byModel.TryGetValue(model, out var target))
                {
                    var offset = root.TryGetProperty("offset", out var o) ? o.GetInt64() : chips[target].Offset;
                    var size = root.TryGetProperty("sizeBytes", out var s) ? s.GetInt64() : chips[target].Size;
                    chips[target] = chips[target] with { Offset = offset, Size = size };
                }
            }
            catch (JsonException)
            {
            }
        }
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

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"mark #\d+: mode=(\w+)")]
    private static partial Regex MarkMode();

    [GeneratedRegex(@"^(?:StatusResponse|StartAck) 0x([0-9A-Fa-f]{2})->\S+ .*?mode=(\w+)")]
    private static partial Regex FrameMode();

    [GeneratedRegex(@"version=(\d+\.\d+\.\d+)")]
    private static partial Regex VersionOf();

    [GeneratedRegex(@"^Complete 0x([0-9A-Fa-f]{2})->\S+ .*?Activated version=(\d+\.\d+\.\d+)")]
    private static partial Regex CompleteFrame();

    [GeneratedRegex(@"\{""event"":""(?:progress|chip-start|chip-complete)"".*\}")]
    private static partial Regex ProgressJson();
}
