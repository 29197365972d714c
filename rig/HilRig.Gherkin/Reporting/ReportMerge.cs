using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace HilRig.Gherkin.Reporting;

/// <summary>What <see cref="ReportMerge.Merge"/> wrote.</summary>
/// <param name="Runs">How many runs went in.</param>
/// <param name="Scenarios">Every finished scenario of the merged report, in the order the runs gave them.</param>
/// <param name="Success">True when every run's testRunFinished said success (a run with no end counts as failed).</param>
/// <param name="Warnings">Lines that were left out (not JSON: a run killed in the middle of a line), each naming file and line.</param>
public sealed record MergeOutcome(int Runs, IReadOnlyList<ScenarioResult> Scenarios, bool Success, IReadOnlyList<string> Warnings);

/// <summary>
/// Merges the reports of several runs of one checkout (the shards of a farm, <c>hilrig run --shard i/n</c>) into
/// one: <c>cucumber-messages.ndjson</c>, <c>junit.xml</c> and <c>report.html</c>, as if one run had run them all.
/// </summary>
/// <remarks>
/// Cucumber messages: one meta and one testRunStarted (the earliest) and testRunFinished (the latest; success only
/// when every run succeeded). A feature file that several runs parsed appears once: the later runs' AST node ids are
/// mapped onto the first run's by the documents' shape (the same source text parses to the same tree), and their
/// pickles point at the first document. Step definitions, hooks and parameter types that are equal but for their id
/// appear once, and the test cases of later runs point at the kept ids. Everything else is copied in run order.
/// Runs of different texts of the same feature file cannot be merged: that is an error naming the file, since one
/// report cannot say which text a scenario ran.
/// JUnit: one testsuite per feature file with the testcases of every run in line order, counts and times summed.
/// </remarks>
public static class ReportMerge
{
    private static readonly string[] Definitions = ["stepDefinition", "hook", "parameterType", "undefinedParameterType"];

    /// <summary>
    /// Merges the report directories <paramref name="runs"/> (each holding cucumber-messages.ndjson, and junit.xml
    /// when the run wrote one) into <paramref name="outDir"/>. Throws <see cref="InvalidDataException"/> naming the file
    /// when two runs parsed different texts of one feature, <see cref="IOException"/> when a file cannot be read or written.
    /// </summary>
    public static MergeOutcome Merge(IReadOnlyList<string> runs, string outDir)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(outDir);
        if (runs.Count == 0) throw new ArgumentException("no run to merge", nameof(runs));
        Directory.CreateDirectory(outDir);
        var ndjson = Path.Combine(outDir, "cucumber-messages.ndjson");
        var warnings = new List<string>();
        var success = MergeMessages(runs.Select(r => Path.Combine(r, "cucumber-messages.ndjson")).ToList(), ndjson, warnings);
        MergeJUnit(runs.Select(r => Path.Combine(r, "junit.xml")).Where(File.Exists).ToList(), Path.Combine(outDir, "junit.xml"));
        var html = CucumberHtmlReport.Write(ndjson, Path.Combine(outDir, "report.html"));
        warnings.AddRange(html.SkippedLines.Select(s => $"{ndjson} {s}"));
        return new MergeOutcome(runs.Count, CucumberResults.ReadAll(ndjson), success, warnings);
    }

    private static bool MergeMessages(IReadOnlyList<string> files, string target, List<string> warnings)
    {
        var sources = new Dictionary<string, (string Data, string File)>(StringComparer.Ordinal);
        var documents = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var definitions = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonNode? meta = null;
        JsonObject? started = null;
        JsonObject? finished = null;
        var success = true;
        var body = new List<string>();
        foreach (var file in files)
        {
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            var ended = false;
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (line.Length == 0) continue;
                JsonObject envelope;
                try
                {
                    envelope = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
                }
                catch (JsonException ex)
                {
                    warnings.Add($"{file}:{number}: not a Cucumber message ({ex.Message}); left out");
                    continue;
                }
                var (kind, message) = envelope.Count == 1 ? (envelope.First().Key, envelope.First().Value) : ("", null);
                switch (kind)
                {
                    case "meta":
                        meta ??= envelope;
                        continue;
                    case "testRunStarted":
                        // One run in the merged report: the first run's id, which every later run's test cases now name,
                        // and the earliest start.
                        if (started is null)
                        {
                            started = envelope;
                        }
                        else
                        {
                            if (message?["id"]?.GetValue<string>() is { } laterId && started["testRunStarted"]?["id"]?.GetValue<string>() is { } keptId)
                            {
                                ids[laterId] = keptId;
                            }
                            if (Seconds(message) < Seconds(started["testRunStarted"]) && message?["timestamp"] is { } earlier)
                            {
                                started["testRunStarted"]!["timestamp"] = earlier.DeepClone();
                            }
                        }
                        continue;
                    case "testRunFinished":
                        ended = true;
                        success &= message?["success"]?.GetValue<bool>() == true;
                        if (finished is null || Seconds(message) > Seconds(finished["testRunFinished"])) finished = envelope;
                        continue;
                    case "source":
                        var uri = message?["uri"]?.GetValue<string>() ?? "";
                        var data = message?["data"]?.GetValue<string>() ?? "";
                        if (sources.TryGetValue(uri, out var seen))
                        {
                            if (seen.Data != data)
                            {
                                throw new InvalidDataException($"{uri} differs between {seen.File} and {file}: the runs ran different checkouts, and one report cannot hold both texts");
                            }
                            continue;
                        }
                        sources[uri] = (data, file);
                        break;
                    case "gherkinDocument":
                        var documentUri = message?["uri"]?.GetValue<string>() ?? "";
                        if (documents.TryGetValue(documentUri, out var first))
                        {
                            MapIds(message!, first, ids);
                            continue;
                        }
                        documents[documentUri] = message!;
                        break;
                    default:
                        if (Definitions.Contains(kind) && message is JsonObject definition && definition["id"]?.GetValue<string>() is { } id)
                        {
                            var key = kind + WithoutId(definition);
                            if (definitions.TryGetValue(key, out var kept))
                            {
                                ids[id] = kept;
                                continue;
                            }
                            definitions[key] = id;
                        }
                        Rewrite(envelope, ids);
                        break;
                }
                body.Add(envelope.ToJsonString());
            }
            if (!ended)
            {
                success = false;
                warnings.Add($"{file}: the run has no testRunFinished (killed before its end); merged as a failed run");
            }
        }
        using var writer = new StreamWriter(target, append: false, new UTF8Encoding(false));
        if (meta is not null) writer.WriteLine(meta.ToJsonString());
        // Sources and documents first, then the run: a reader meets every document before the pickles pointing at it.
        var ordered = body.Where(IsDocument).Concat(started is null ? [] : [started.ToJsonString()]).Concat(body.Where(l => !IsDocument(l)));
        foreach (var line in ordered) writer.WriteLine(line);
        if (finished is not null)
        {
            finished["testRunFinished"]!["success"] = success;
            if (started?["testRunStarted"]?["id"]?.GetValue<string>() is { } runId && finished["testRunFinished"] is JsonObject end && end.ContainsKey("testRunStartedId"))
            {
                end["testRunStartedId"] = runId;
            }
            writer.WriteLine(finished.ToJsonString());
        }
        return success && finished is not null;
    }

    private static bool IsDocument(string line) =>
        line.StartsWith("{\"source\"", StringComparison.Ordinal) || line.StartsWith("{\"gherkinDocument\"", StringComparison.Ordinal);

    /// <summary>Maps the ids of <paramref name="later"/> onto those at the same place in <paramref name="kept"/> (same source, same tree).</summary>
    private static void MapIds(JsonNode later, JsonNode? kept, Dictionary<string, string> ids)
    {
        switch (later)
        {
            case JsonObject obj when kept is JsonObject keptObj:
                foreach (var (name, value) in obj)
                {
                    if (name == "id" && value is JsonValue v && v.TryGetValue<string>(out var id) && keptObj["id"]?.GetValue<string>() is { } keptId)
                    {
                        ids[id] = keptId;
                    }
                    else if (value is not null)
                    {
                        MapIds(value, keptObj[name], ids);
                    }
                }
                break;
            case JsonArray array when kept is JsonArray keptArray:
                for (var i = 0; i < array.Count && i < keptArray.Count; i++)
                {
                    if (array[i] is { } item) MapIds(item, keptArray[i], ids);
                }
                break;
        }
    }

    /// <summary>Replaces every id-valued string of the message that was mapped; attachment bodies are left alone.</summary>
    private static void Rewrite(JsonNode node, Dictionary<string, string> ids)
    {
        if (ids.Count == 0) return;
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (name == "body" && obj.ContainsKey("mediaType")) continue;
                    if (obj[name] is JsonValue value && value.TryGetValue<string>(out var text) && ids.TryGetValue(text, out var mapped))
                    {
                        obj[name] = mapped;
                    }
                    else if (obj[name] is { } child)
                    {
                        Rewrite(child, ids);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text) && ids.TryGetValue(text, out var mapped))
                    {
                        array[i] = mapped;
                    }
                    else if (array[i] is { } child)
                    {
                        Rewrite(child, ids);
                    }
                }
                break;
        }
    }

    private static string WithoutId(JsonObject definition)
    {
        var copy = (JsonObject)definition.DeepClone();
        copy.Remove("id");
        return copy.ToJsonString();
    }

    private static double Seconds(JsonNode? message) =>
        message?["timestamp"] is JsonObject t
            ? (t["seconds"]?.GetValue<long>() ?? 0) + (t["nanos"]?.GetValue<int>() ?? 0) / 1e9
            : 0;

    private static void MergeJUnit(IReadOnlyList<string> files, string target)
    {
        if (files.Count == 0) return;
        var suites = new Dictionary<string, (XElement Suite, List<XElement> Cases)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file);
            }
            catch (System.Xml.XmlException ex)
            {
                throw new InvalidDataException($"{file}: not JUnit XML ({ex.Message})", ex);
            }
            foreach (var suite in document.Root?.Elements("testsuite") ?? [])
            {
                var key = (string?)suite.Attribute("file") ?? (string?)suite.Attribute("name") ?? "";
                if (!suites.TryGetValue(key, out var merged))
                {
                    merged = (new XElement(suite.Name, suite.Attributes()), []);
                    suites[key] = merged;
                }
                merged.Cases.AddRange(suite.Elements("testcase"));
            }
        }
        var built = suites.Values.Select(s =>
        {
            var cases = s.Cases.OrderBy(c => (int?)c.Attribute("line") ?? 0).ToList();
            s.Suite.SetAttributeValue("tests", cases.Count);
            s.Suite.SetAttributeValue("failures", cases.Count(c => c.Element("failure") is not null));
            s.Suite.SetAttributeValue("errors", cases.Count(c => c.Element("error") is not null));
            s.Suite.SetAttributeValue("skipped", cases.Count(c => c.Element("skipped") is not null));
            s.Suite.SetAttributeValue("time", Time(cases));
            s.Suite.Add(cases);
            return s.Suite;
        }).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", "HilRig"),
            new XAttribute("tests", built.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", built.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", built.Sum(s => (int)s.Attribute("errors")!)),
            new XAttribute("skipped", built.Sum(s => (int)s.Attribute("skipped")!)),
            new XAttribute("time", Time(built.SelectMany(s => s.Elements("testcase")))),
            built);
        using var writer = System.Xml.XmlWriter.Create(target, new System.Xml.XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true });
        new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
    }

    private static string Time(IEnumerable<XElement> cases) =>
        cases.Sum(c => double.TryParse((string?)c.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 0)
            .ToString("0.000", CultureInfo.InvariantCulture);
}
