using HilRig.Gherkin.Reporting;
using System.Text.Json;

namespace HilRig.Service.Runs;

/// <summary>
/// Run history on disk: one directory per run under the data directory, holding run.json (the record),
/// run.log (what the run printed) and reports/ (the run's NDJSON, JUnit XML, per-scenario timelines, UART
/// and node logs). Survives restarts: the history is read back at start.
/// </summary>
public sealed class RunStore(string dataDirectory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Where runs live.</summary>
    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    /// <summary>The directory of run <paramref name="id"/>.</summary>
    public string DirectoryOf(string id) => Path.Combine(DataDirectory, id);

    /// <summary>Writes the record (atomically: a reader never sees half a file).</summary>
    public void Save(RunRecord run)
    {
        var directory = DirectoryOf(run.Id);
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, "run.json.tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(run, Json));
        File.Move(temp, Path.Combine(directory, "run.json"), overwrite: true);
    }

    /// <summary>Every run on disk; unreadable records are skipped with a note in <paramref name="problems"/>.</summary>
    public IReadOnlyList<RunRecord> LoadAll(List<string> problems)
    {
        var runs = new List<RunRecord>();
        if (!Directory.Exists(DataDirectory)) return runs;
        foreach (var file in Directory.EnumerateFiles(DataDirectory, "run.json", SearchOption.AllDirectories))
        {
            try
            {
                if (JsonSerializer.Deserialize<RunRecord>(Upgrade(File.ReadAllText(file)), Json) is { } run) runs.Add(run);
            }
            catch (Exception ex) when (ex is JsonException or IOException or InvalidOperationException)
            {
                problems.Add($"{file}: {ex.Message}");
            }
        }
        return runs;
    }

    // Records written before scenarios had a Cucumber status carry "passed": true/false instead.
    private static string Upgrade(string json)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(json) is not System.Text.Json.Nodes.JsonObject record
            || record["scenarios"] is not System.Text.Json.Nodes.JsonArray scenarios)
        {
            return json;
        }
        var changed = false;
        foreach (var scenario in scenarios.OfType<System.Text.Json.Nodes.JsonObject>())
        {
            if (scenario["status"] is null && scenario["passed"] is System.Text.Json.Nodes.JsonValue passed && passed.TryGetValue<bool>(out var ok))
            {
                scenario["status"] = ok ? ScenarioStatus.Passed : ScenarioStatus.Failed;
                changed = true;
            }
        }
        return changed ? record.ToJsonString() : json;
    }
}
