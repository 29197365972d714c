using System.Globalization;
using System.Text;

namespace HilRig.Core.Timeline;

/// <summary>
/// Per-link UART logs of a scenario, for people: one text file per relay link with every frame, skipped
/// garbage, injected byte and link fault in time order, written from the scenario's timeline. A line reads
/// <c>+   12.345 s  down  Start module-&gt;all seq=1 ... | A5 01 ...</c> (DATA frames are summarised, not
/// dumped).
/// </summary>
public static class UartLogs
{
    /// <summary>Timeline kinds that belong in a UART log.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "frame", "garbage", "inject", "fault" };

    /// <summary>Groups the link events of <paramref name="events"/> into one log text per link name.</summary>
    public static IReadOnlyDictionary<string, string> Render(IEnumerable<TimelineEvent> events)
    {
        var logs = new SortedDictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Direction is null || !Kinds.Contains(e.Kind))
            {
                continue;
            }
            if (!logs.TryGetValue(e.Source, out var log))
            {
                log = new StringBuilder().Append("# UART log of link ").Append(e.Source)
                    .Append(" (time from the start of the scenario; down = towards the far chips, up = towards the module)\n");
                logs[e.Source] = log;
            }
            log.Append(CultureInfo.InvariantCulture, $"+{e.AtMs / 1000.0,10:0.000} s  {e.Direction,-10}  ");
            if (e.Kind != "frame")
            {
                log.Append(e.Kind.ToUpperInvariant()).Append(": ");
            }
            log.Append(e.Summary);
            if (e.Hex is { Length: > 0 } hex)
            {
                log.Append("  | ").Append(Spaced(hex));
            }
            log.Append('\n');
        }
        return logs.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>Writes <c>&lt;link&gt;.log</c> files into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(IEnumerable<TimelineEvent> events, string directory)
    {
        var written = new List<string>();
        var logs = Render(events);
        if (logs.Count == 0)
        {
            return written;
        }
        Directory.CreateDirectory(directory);
        foreach (var (link, text) in logs)
        {
            var path = Path.Combine(directory, SafeName(link) + ".log");
            File.WriteAllText(path, text);
            written.Add(path);
        }
        return written;
    }

    private static string Spaced(string hex)
    {
        var builder = new StringBuilder(hex.Length * 3 / 2);
        for (var i = 0; i + 1 < hex.Length; i += 2)
        {
            if (i > 0) builder.Append(' ');
            builder.Append(hex, i, 2);
        }
        return builder.ToString();
    }

    private static string SafeName(string link)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(link.Select(c => invalid.Contains(c) || c == ' ' ? '_' : c).ToArray());
    }
}
