using HilRig.Core.Bench;

namespace HilRig.Core.Verification;

/// <summary>
/// Says which links lost traffic, from the timeline: frames the relays could not deliver (a broken link)
/// and the time since the last frame crossed each link. Appended to failures so a timeout names the link.
/// </summary>
public static class LinkDiagnosis
{
    /// <summary>One line per link that lost frames, or an empty string when none did.</summary>
    public static string Describe(IBench bench)
    {
        var events = bench.Timeline.Snapshot();
        var now = bench.Timeline.NowMs;
        var lines = new List<string>();
        foreach (var relay in bench.RelaysByChip.Values)
        {
            var lost = events.Where(e => e.Source == relay.Name && e.Kind == "fault" && e.Summary.EndsWith("lost on a broken link", StringComparison.Ordinal)).ToList();
            if (lost.Count == 0) continue;
            var last = events.LastOrDefault(e => e.Source == relay.Name && e.Kind == "frame");
            var broken = relay.Downstream.IsBroken || relay.Upstream.IsBroken;
            lines.Add($"link {relay.Name}: {lost.Count} frame(s) lost on it since {lost[0].AtMs / 1000:0.0} s" +
                $"{(broken ? ", still broken" : ", mended")}; last frame seen {(last is null ? "never" : $"{(now - last.AtMs) / 1000:0.0} s ago")}");
        }
        return string.Join(Environment.NewLine, lines);
    }
}
