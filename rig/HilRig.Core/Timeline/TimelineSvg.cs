using System.Text.Json;

namespace HilRig.Core.Timeline;

/// <summary>
/// Draws a scenario's timeline as a self-contained SVG 1.1 picture: one lane per chip with its mode over
/// time and the transfer progress while it is the target, a module lane with campaign events, faults,
/// power changes, garbage on the links, and a time axis in seconds. Pure: the same events and options
/// always give the same bytes.
/// </summary>
/// <remarks>
/// Machine-readable attributes for tests and tools (times in ms, three decimals, invariant culture):
/// <list type="bullet">
/// <item>mode bands: <c>rect</c> with <c>data-chip</c>, <c>data-mode</c> (Initial, Upgrade, PassThrough, Sleep, Off,
/// Booting, Unknown), <c>data-from-ms</c>, <c>data-to-ms</c>; the module's off periods: <c>rect</c> with
/// <c>data-lane</c>, <c>data-mode</c>="Off", <c>data-from-ms</c>, <c>data-to-ms</c>;</item>
/// <item>transfer progress: <c>polyline</c> with <c>data-chip</c>, <c>data-series</c> ("received" = DATA_ACK next=,
/// "persisted" = DATA_ACK persisted=), <c>data-from-ms</c>, <c>data-to-ms</c>, <c>data-size-bytes</c>,
/// <c>data-outcome</c> (the COMPLETE status, "power-off" or "open");</item>
/// <item>applied faults: <c>g</c> with <c>data-kind</c>="fault", <c>data-source</c>, <c>data-lanes</c> (space-separated),
/// <c>data-at-ms</c>, <c>data-duration-ms</c> when the summary says "for N ms", and a <c>text</c> label;</item>
/// <item>every other mark: <c>g</c> with <c>data-kind</c> (the timeline kind: "power", "garbage", "inject", "event",
/// "campaign", "connect", "verify", "modes"; or "fault-frame" for a fault's effect on one frame, "verify-failed"),
/// <c>data-lane</c> and <c>data-at-ms</c>.</item>
/// </list>
/// </remarks>
public static class TimelineSvg
{
    private static readonly JsonSerializerOptions Json = TimelineJson.Options;

    /// <summary>Draws the events (in any order; they are sorted by time) as an SVG document.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is below <see cref="TimelineSvgOptions.MinWidthPx"/>.</exception>
    public static string Render(IReadOnlyList<TimelineEvent> events, TimelineSvgOptions options)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.WidthPx >= TimelineSvgOptions.MinWidthPx))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WidthPx,
                $"The timeline picture needs a width of at least {TimelineSvgOptions.MinWidthPx} px.");
        }
        // OrderBy is stable: events logged at the same millisecond keep the order they were recorded in.
        var ordered = events.Where(e => double.IsFinite(e.AtMs)).OrderBy(e => e.AtMs).ToList();
        return new TimelineSvgPicture(ordered, options).Draw();
    }

    /// <summary>Reads a timeline written by <see cref="BenchTimeline"/> (NDJSON, camelCase) and draws it.</summary>
    /// <exception cref="InvalidDataException">A line is not a timeline event; the message names the file and line.</exception>
    public static string RenderFromNdjson(string ndjsonPath, TimelineSvgOptions options) =>
        Render(ReadNdjson(ndjsonPath), options);

    /// <summary>
    /// Reads the events of a timeline NDJSON file; blank lines are skipped, and so is a last line without its newline:
    /// the run is still writing it (the file is read while the bench runs: the live page, the hooks of a scenario).
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a timeline event; the message names the file and line.</exception>
    public static IReadOnlyList<TimelineEvent> ReadNdjson(string ndjsonPath)
    {
        var events = new List<TimelineEvent>();
        var lineNumber = 0;
        string text;
        using (var stream = new FileStream(ndjsonPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            text = new StreamReader(stream).ReadToEnd();
        }
        var lines = text.Split('\n');
        foreach (var line in lines.Take(lines.Length - 1))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            TimelineEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<TimelineEvent>(line, Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{ndjsonPath}:{lineNumber}: not a timeline event ({ex.Message}).", ex);
            }
            if (e is null || e.Source is null || e.Kind is null || e.Summary is null)
            {
                throw new InvalidDataException($"{ndjsonPath}:{lineNumber}: not a timeline event (expected atMs, source, kind and summary).");
            }
            events.Add(e);
        }
        return events;
    }
}
