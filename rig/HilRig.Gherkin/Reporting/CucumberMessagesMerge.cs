using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Merges the Cucumber messages streams (NDJSON) of several runs that ran parts of one selection (the benches of
/// <c>hilrig run --parallel</c>, the shards of a farm) into one stream, as if one run had run them all: one meta, each
/// feature's source and document and each pickle, step definition, hook and parameter type once (streams agree on
/// their ids: FeatureLoader derives a pickle's from its file's URI and text), one testRunStarted (the earliest), every
/// test case with its steps and attachments, and one testRunFinished (the latest; it passed only if every run did and
/// says which did not). Each input has a label (the bench or shard it ran on): a testCaseStarted that names no worker
/// gets it as its <c>workerId</c>, so the merged report still says where each scenario ran.
/// </summary>
/// <remarks>
/// A line that is not JSON (the last line of a run killed while writing) is left out and named in
/// <see cref="Warnings"/>; a run whose stream has no testRunFinished (it was killed) makes the merged run fail, with
/// its label in the message. Two inputs whose feature of one URI has different text (shards run on different
/// checkouts) cannot be merged: <see cref="Add(string, TextReader, string)"/> throws <see cref="GherkinException"/>
/// naming both.
/// </remarks>
public sealed class CucumberMessagesMerge
{
    private static readonly string[] DefinitionKinds = ["source", "gherkinDocument", "pickle", "parameterType", "stepDefinition", "hook", "undefinedParameterType"];

    private readonly List<string> _definitions = [];
    private readonly HashSet<string> _definitionKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Origin, string Data)> _sources = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _body = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _failedRuns = [];
    private string? _meta;
    private string? _runId;
    private JsonNode? _started;
    private long _startedNanos = long.MaxValue;
    private JsonNode? _finished;
    private long _finishedNanos = long.MinValue;
    private JsonNode? _exception;
    private int _inputs;

    /// <summary>Lines left out, each naming its input and line.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The runs that did not pass or were cut short, each as <c>label: why</c>; empty when the merged run passed.</summary>
    public IReadOnlyList<string> FailedRuns => _failedRuns;

    /// <summary>How many streams were added.</summary>
    public int InputCount => _inputs;

    /// <summary>Adds the stream of the NDJSON file at <paramref name="path"/>, labelled <paramref name="label"/>.</summary>
    public void AddFile(string label, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        Add(label, reader, path);
    }

    /// <summary>
    /// Adds one run's stream. <paramref name="label"/> names where it ran (a bench, a shard); <paramref name="origin"/>
    /// names the input in messages (a file path).
    /// </summary>
    public void Add(string label, TextReader stream, string origin)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(origin);
        _inputs++;
        var finished = false;
        var lineNumber = 0;
        while (stream.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            JsonObject? envelope;
            try
            {
                envelope = JsonNode.Parse(line) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                envelope = null;
            }
            if (envelope is null || envelope.Count != 1)
            {
                _warnings.Add($"{origin}:{lineNumber}: not a Cucumber message envelope (a run cut short while writing?); left out");
                continue;
            }
            var (kind, message) = envelope.First();
            switch (kind)
            {
                case "meta":
                    _meta ??= line;
                    break;
                case "testRunStarted":
                    _runId ??= message?["id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
                    if (Nanos(message?["timestamp"]) is var started && started < _startedNanos)
                    {
                        _startedNanos = started;
                        _started = message?["timestamp"]?.DeepClone();
                    }
                    break;
                case "testRunFinished":
                    finished = true;
                    if (Nanos(message?["timestamp"]) is var end && end > _finishedNanos)
                    {
                        _finishedNanos = end;
                        _finished = message?["timestamp"]?.DeepClone();
                    }
                    if (message?["success"]?.GetValue<bool>() != true)
                    {
                        var why = message?["message"]?.GetValue<string>();
                        _failedRuns.Add(why is null ? $"{label}: failed" : $"{label}: {why}");
                    }
                    _exception ??= message?["exception"]?.DeepClone();
                    break;
                default:
                    if (DefinitionKinds.Contains(kind))
                    {
                        AddDefinition(kind, message, line, origin);
                    }
                    else
                    {
                        if (kind == "testCaseStarted" && message is JsonObject started2 && started2["workerId"] is null)
                        {
                            started2["workerId"] = label;
                        }
                        _body.Add(envelope);
                    }
                    break;
            }
        }
        if (!finished)
        {
            _failedRuns.Add($"{label}: its stream ({origin}) has no testRunFinished: the run was cut short");
        }
    }

    /// <summary>Writes the merged stream, one envelope per line.</summary>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_inputs == 0) throw new InvalidOperationException("nothing to merge: add at least one stream");
        var runId = _runId ?? Guid.NewGuid().ToString();
        if (_meta is not null) output.Write(_meta + "\n");
        foreach (var definition in _definitions) output.Write(definition + "\n");
        output.Write(Line("testRunStarted", new JsonObject { ["timestamp"] = _started?.DeepClone() ?? Timestamp(DateTimeOffset.UtcNow), ["id"] = runId }));
        foreach (var envelope in _body)
        {
            var (kind, message) = envelope.First();
            if (kind is "testCase" or "testRunHookStarted" && message is JsonObject withRun && withRun.ContainsKey("testRunStartedId"))
            {
                withRun["testRunStartedId"] = runId;
            }
            output.Write(envelope.ToJsonString() + "\n");
        }
        var finished = new JsonObject
        {
            ["success"] = _failedRuns.Count == 0,
            ["timestamp"] = _finished?.DeepClone() ?? Timestamp(DateTimeOffset.UtcNow),
            ["testRunStartedId"] = runId,
        };
        if (_failedRuns.Count > 0) finished["message"] = string.Join("\n", _failedRuns);
        if (_exception is not null) finished["exception"] = _exception.DeepClone();
        output.Write(Line("testRunFinished", finished));
        output.Flush();
    }

    /// <summary>Merges the NDJSON files of <paramref name="inputs"/> (label, path) into <paramref name="outputPath"/>; returns the merge (its warnings).</summary>
    public static CucumberMessagesMerge MergeFiles(IEnumerable<(string Label, string Path)> inputs, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputPath);
        var merge = new CucumberMessagesMerge();
        foreach (var (label, path) in inputs)
        {
            merge.AddFile(label, path);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        var temporary = outputPath + ".tmp";
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
        {
            merge.WriteTo(writer);
        }
        File.Move(temporary, outputPath, overwrite: true);
        return merge;
    }

    private void AddDefinition(string kind, JsonNode? message, string line, string origin)
    {
        var key = kind switch
        {
            "source" or "gherkinDocument" => message?["uri"]?.GetValue<string>(),
            "undefinedParameterType" => message?["name"]?.GetValue<string>() + "\n" + message?["expression"]?.GetValue<string>(),
            _ => message?["id"]?.GetValue<string>(),
        } ?? line;
        if (kind == "source")
        {
            var data = message?["data"]?.GetValue<string>() ?? "";
            if (_sources.TryGetValue(key, out var first) && first.Data != data)
            {
                throw new GherkinException($"{origin}: feature {key} has other text than in {first.Origin}: the runs were made from different checkouts and cannot be merged");
            }
            _sources.TryAdd(key, (origin, data));
        }
        if (_definitionKeys.Add(kind + "\n" + key))
        {
            _definitions.Add(line);
        }
    }

    private static string Line(string kind, JsonObject message) => new JsonObject { [kind] = message }.ToJsonString() + "\n";

    private static long Nanos(JsonNode? timestamp) =>
        timestamp is null ? 0 : (timestamp["seconds"]?.GetValue<long>() ?? 0) * 1_000_000_000 + (timestamp["nanos"]?.GetValue<long>() ?? 0);

    private static JsonObject Timestamp(DateTimeOffset time) => new()
    {
        ["seconds"] = time.ToUnixTimeSeconds(),
        ["nanos"] = (int)(time.UtcTicks % TimeSpan.TicksPerSecond * 100),
    };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{_inputs} streams, {_body.Count} messages");
}
