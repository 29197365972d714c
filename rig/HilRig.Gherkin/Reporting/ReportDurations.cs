using System.Text.Json;
using System.Text.Json.Nodes;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// How long each pickle took in an earlier run, read from its Cucumber messages NDJSON (testCase, testCaseStarted and
/// testCaseFinished; every attempt of a retried scenario counts), by pickle id: a parallel run starts the longest first
/// (<see cref="Execution.PickleSchedule"/>). Pickle ids follow the feature file's text, so an edited file's scenarios
/// count as unknown until the next run. Lines that are not JSON (a run cut short) are skipped.
/// </summary>
public static class ReportDurations
{
    /// <summary>The durations in the NDJSON file at <paramref name="path"/>; empty when it cannot be read.</summary>
    public static IReadOnlyDictionary<string, TimeSpan> FromNdjson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var reader = new StreamReader(path);
            return Read(reader);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, TimeSpan>();
        }
    }

    /// <summary>The durations in one NDJSON stream.</summary>
    public static IReadOnlyDictionary<string, TimeSpan> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var pickleOfTestCase = new Dictionary<string, string>(StringComparer.Ordinal);
        var started = new Dictionary<string, (string TestCaseId, long Nanos)>(StringComparer.Ordinal);
        var durations = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            JsonObject? envelope;
            try
            {
                envelope = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                continue;
            }
            if (envelope?["testCase"] is JsonObject testCase && testCase["id"]?.GetValue<string>() is { } caseId && testCase["pickleId"]?.GetValue<string>() is { } pickleId)
            {
                pickleOfTestCase[caseId] = pickleId;
            }
            else if (envelope?["testCaseStarted"] is JsonObject start && start["id"]?.GetValue<string>() is { } startId && start["testCaseId"]?.GetValue<string>() is { } startedCase)
            {
                started[startId] = (startedCase, Nanos(start["timestamp"]));
            }
            else if (envelope?["testCaseFinished"] is JsonObject finish && finish["testCaseStartedId"]?.GetValue<string>() is { } finishedId
                && started.TryGetValue(finishedId, out var begin) && pickleOfTestCase.TryGetValue(begin.TestCaseId, out var pickle))
            {
                var took = TimeSpan.FromTicks(Math.Max(0, Nanos(finish["timestamp"]) - begin.Nanos) / 100);
                durations[pickle] = durations.GetValueOrDefault(pickle) + took;
            }
        }
        return durations;
    }

    /// <summary>
    /// The NDJSON report of the newest run under <paramref name="artifactsDirectory"/> (artifacts/run-*/, the default
    /// report folders of hilrig run), or null when there is none.
    /// </summary>
    public static string? NewestRunReport(string artifactsDirectory)
    {
        ArgumentNullException.ThrowIfNull(artifactsDirectory);
        if (!Directory.Exists(artifactsDirectory)) return null;
        return Directory.EnumerateDirectories(artifactsDirectory, "run-*")
            .Select(d => new FileInfo(Path.Combine(d, "cucumber-messages.ndjson")))
            .Where(f => f.Exists && f.Length > 0)
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .FirstOrDefault()?.FullName;
    }

    private static long Nanos(JsonNode? timestamp) =>
        timestamp is null ? 0 : (timestamp["seconds"]?.GetValue<long>() ?? 0) * 1_000_000_000 + (timestamp["nanos"]?.GetValue<long>() ?? 0);
}
