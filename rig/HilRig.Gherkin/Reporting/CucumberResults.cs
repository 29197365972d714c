using System.Text.Json;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Reads a run's scenario results from its Cucumber messages (reports/cucumber-messages.ndjson), the format the
/// standard Cucumber tools read, rather than from console lines whose wording may change: a pickle gives a
/// scenario's name and location, a testCase ties it to the pickle, and when a testCaseFinished arrives (and will
/// not be retried) the worst status among its testStepFinished messages is the scenario's. Reads incrementally:
/// <see cref="Read"/> takes the complete lines written since the last call, so it can follow a run as it goes.
/// </summary>
public sealed class CucumberResults(string path)
{
    private readonly Dictionary<string, (string Name, string Location)> _pickles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _testCases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Status, string? Detail)> _worst = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _featureNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _astLines = new(StringComparer.Ordinal);
    private readonly List<ScenarioResult> _results = [];
    private long _offset;

    /// <summary>Results of the scenarios that have finished so far, in the order they finished.</summary>
    public IReadOnlyList<ScenarioResult> Results => _results;

    /// <summary>Reads a whole report at once: the results of every finished scenario. A missing file reads as none.</summary>
    public static IReadOnlyList<ScenarioResult> ReadAll(string path)
    {
        var results = new CucumberResults(path);
        results.Read();
        return results.Results;
    }

    /// <summary>Reads what was appended since the last call; true when a scenario finished. A missing file reads as nothing.</summary>
    public bool Read()
    {
        if (!File.Exists(path)) return false;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= _offset) return false;
        stream.Position = _offset;
        var before = _results.Count;
        var line = new MemoryStream();
        int b;
        var consumed = _offset;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b != '\n')
            {
                line.WriteByte((byte)b);
                continue;
            }
            // Only whole lines: the runner may be in the middle of writing the last one.
            consumed = stream.Position;
            Handle(line.GetBuffer().AsSpan(0, (int)line.Length));
            line.SetLength(0);
        }
        _offset = consumed;
        return _results.Count > before;
    }

    private void Handle(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return;
        // Attachments (timelines, logs) are most of the bytes and none of the results: skip them unparsed.
        if (line.StartsWith("{\"attachment\""u8) || line.StartsWith("{\"source\""u8)) return;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            foreach (var message in root.EnumerateObject())
            {
                var body = message.Value;
                switch (message.Name)
                {
                    case "gherkinDocument" when body.TryGetProperty("feature", out var feature):
                        _featureNames[Text(body, "uri")] = Text(feature, "name");
                        RememberLines(feature);
                        break;
                    case "pickle":
                        var uri = Text(body, "uri");
                        var pickleLine = body.TryGetProperty("location", out var location) && location.TryGetProperty("line", out var l) && l.TryGetInt32(out var n)
                            ? n : LineOfAstNodes(body);
                        var at = pickleLine is { } known ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $":{known}") : "";
                        var name = _featureNames.TryGetValue(uri, out var featureName) && featureName.Length > 0 ? $"{featureName}: {Text(body, "name")}" : Text(body, "name");
                        _pickles[Text(body, "id")] = (name, uri + at);
                        break;
                    case "testCase":
                        _testCases[Text(body, "id")] = Text(body, "pickleId");
                        break;
                    case "testCaseStarted":
                        _started[Text(body, "id")] = Text(body, "testCaseId");
                        break;
                    case "testStepFinished" when body.TryGetProperty("testStepResult", out var result):
                        Step(Text(body, "testCaseStartedId"), Text(result, "status"), result.TryGetProperty("message", out var m) ? m.GetString() : null);
                        break;
                    case "testCaseFinished":
                        Finish(Text(body, "testCaseStartedId"), body.TryGetProperty("willBeRetried", out var retried) && retried.ValueKind == JsonValueKind.True);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// The lines of the document's scenarios and Examples rows by AST node id: a pickle of Cucumber messages 30 (the
    /// version Reqnroll uses) has no location, its line is its Examples row's or its scenario's.
    /// </summary>
    private void RememberLines(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object) return;
        if (node.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && node.TryGetProperty("location", out var location) && location.TryGetProperty("line", out var line) && line.TryGetInt32(out var n))
        {
            _astLines[id.GetString()!] = n;
        }
        foreach (var property in node.EnumerateObject())
        {
            if (property.Name is "children" or "examples" or "tableBody" && property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var child in property.Value.EnumerateArray()) RememberLines(child);
            }
            else if (property.Name is "scenario" or "rule")
            {
                RememberLines(property.Value);
            }
        }
    }

    private int? LineOfAstNodes(JsonElement pickle)
    {
        if (!pickle.TryGetProperty("astNodeIds", out var ids) || ids.ValueKind != JsonValueKind.Array) return null;
        int? line = null;
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind == JsonValueKind.String && _astLines.TryGetValue(id.GetString()!, out var n)) line = n;
        }
        return line;
    }

    private void Step(string started, string cucumberStatus, string? message)
    {
        var status = cucumberStatus.ToUpperInvariant() switch
        {
            "PASSED" => ScenarioStatus.Passed,
            "SKIPPED" => ScenarioStatus.Skipped,
            "PENDING" => ScenarioStatus.Pending,
            "UNDEFINED" => ScenarioStatus.Undefined,
            "AMBIGUOUS" => ScenarioStatus.Ambiguous,
            // FAILED, and UNKNOWN (a step whose outcome no one knows is not a pass).
            _ => ScenarioStatus.Failed,
        };
        if (!_worst.TryGetValue(started, out var worst) || Rank(status) > Rank(worst.Status))
        {
            _worst[started] = (status, string.IsNullOrWhiteSpace(message) ? null : FirstLine(message));
        }
    }

    private void Finish(string started, bool willBeRetried)
    {
        var (status, detail) = _worst.GetValueOrDefault(started, (ScenarioStatus.Passed, null));
        _worst.Remove(started);
        if (willBeRetried) return;
        var pickle = _started.TryGetValue(started, out var testCase) && _testCases.TryGetValue(testCase, out var pickleId) && _pickles.TryGetValue(pickleId, out var p)
            ? p : (Name: "(unknown scenario)", Location: "");
        _results.Add(new ScenarioResult(pickle.Name, pickle.Location, status, status == ScenarioStatus.Passed ? null : detail));
    }

    private static int Rank(string status)
    {
        for (var i = 0; i < ScenarioStatus.All.Count; i++)
        {
            if (ScenarioStatus.All[i] == status) return i;
        }
        return ScenarioStatus.All.Count;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        var first = end < 0 ? message : message[..end];
        return first.Length > 500 ? first[..500] + "..." : first;
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
