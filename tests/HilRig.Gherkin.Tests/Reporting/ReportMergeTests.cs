using System.Text.Json;
using System.Xml.Linq;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Reporting;

/// <summary>
/// Two runs' report directories merged into one (<see cref="ReportMerge"/>, as <c>hilrig report merge</c> does): valid
/// Cucumber messages whose every id points at a message of the merged file, one document per feature, JUnit in line order.
/// </summary>
public sealed class ReportMergeTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-merge-");

    public void Dispose() => _directory.Delete(recursive: true);

    private async Task<string> RunAsync(string name, params string[] paths)
    {
        var directory = Path.Combine(_directory.FullName, name);
        using (var reports = ReportFiles.Open(directory))
        {
            await new RunnerHarness().RunAsync(paths, null, [.. reports.Listeners]);
        }
        return directory;
    }

    [Fact]
    public async Task A_feature_both_runs_parsed_appears_once_and_every_id_of_the_merged_messages_resolves()
    {
        // Both runs parse failing.feature: the second's AST ids must be mapped onto the first's.
        var first = await RunAsync("first", "Features/Passing/hooks.feature", "Features/Failing/failing.feature:3");
        var second = await RunAsync("second", "Features/Failing/failing.feature:8:11:14:17");
        var merged = Path.Combine(_directory.FullName, "merged");

        var outcome = ReportMerge.Merge([first, second], merged);

        var lines = File.ReadAllLines(Path.Combine(merged, "cucumber-messages.ndjson"));
        Assert.All(lines, l => Assert.Empty(MessagesSchema.Errors(l)));
        var messages = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        IEnumerable<JsonElement> Of(string kind) => messages.Where(m => m.TryGetProperty(kind, out _)).Select(m => m.GetProperty(kind));
        Assert.Equal(["Features/Failing/failing.feature", "Features/Passing/hooks.feature"], Of("gherkinDocument").Select(d => d.GetProperty("uri").GetString()).Order(StringComparer.Ordinal));
        Assert.Single(Of("meta"));
        Assert.Single(Of("testRunStarted"));
        Assert.False(Assert.Single(Of("testRunFinished")).GetProperty("success").GetBoolean());

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { "gherkinDocument", "pickle", "stepDefinition", "hook", "parameterType", "testRunStarted", "testCase", "testCaseStarted" })
        {
            foreach (var message in Of(kind)) CollectIds(message, ids);
        }
        var references = new List<string>();
        foreach (var pickle in Of("pickle"))
        {
            references.AddRange(pickle.GetProperty("astNodeIds").EnumerateArray().Select(i => i.GetString()!));
            references.AddRange(pickle.GetProperty("steps").EnumerateArray().SelectMany(s => s.GetProperty("astNodeIds").EnumerateArray()).Select(i => i.GetString()!));
        }
        foreach (var testCase in Of("testCase"))
        {
            references.Add(testCase.GetProperty("pickleId").GetString()!);
            references.Add(testCase.GetProperty("testRunStartedId").GetString()!);
            foreach (var step in testCase.GetProperty("testSteps").EnumerateArray())
            {
                if (step.TryGetProperty("hookId", out var hook)) references.Add(hook.GetString()!);
                if (step.TryGetProperty("stepDefinitionIds", out var definitions)) references.AddRange(definitions.EnumerateArray().Select(d => d.GetString()!));
            }
        }
        references.AddRange(Of("testCaseStarted").Select(s => s.GetProperty("testCaseId").GetString()!));
        references.AddRange(Of("testCaseFinished").Select(s => s.GetProperty("testCaseStartedId").GetString()!));
        Assert.DoesNotContain(references, r => !ids.Contains(r));
        // Equal step definitions of the two runs appear once.
        var definitionKeys = Of("stepDefinition").Select(d => d.GetProperty("pattern").GetRawText() + d.GetProperty("sourceReference").GetRawText()).ToList();
        Assert.Equal(definitionKeys.Count, definitionKeys.Distinct().Count());

        Assert.Equal(7, outcome.Scenarios.Count);
        var junit = XDocument.Load(Path.Combine(merged, "junit.xml")).Root!;
        Assert.Equal(7, (int)junit.Attribute("tests")!);
        var failures = junit.Elements("testsuite").Single(s => (string?)s.Attribute("name") == "Failures");
        Assert.Equal([3, 8, 11, 14, 17], failures.Elements("testcase").Select(c => (int)c.Attribute("line")!));
        Assert.Empty(outcome.Warnings);
    }

    [Fact]
    public async Task Runs_of_different_texts_of_one_feature_are_refused_naming_the_file()
    {
        var first = await RunAsync("first", "Features/Failing/failing.feature:3");
        var second = await RunAsync("second", "Features/Failing/failing.feature:8");
        var path = Path.Combine(second, "cucumber-messages.ndjson");
        var text = File.ReadAllLines(path).Select(l => l.StartsWith("{\"source\"", StringComparison.Ordinal) ? l.Replace("Failures", "Failures, edited", StringComparison.Ordinal) : l);
        File.WriteAllLines(path, text);

        var error = Assert.Throws<GherkinException>(() => ReportMerge.Merge([first, second], Path.Combine(_directory.FullName, "merged")));

        Assert.Contains("feature Features/Failing/failing.feature has other text than in ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_killed_before_its_end_is_merged_named_and_fails_the_merged_run()
    {
        var first = await RunAsync("first", "Features/Passing/hooks.feature");
        var second = await RunAsync("second", "Features/Passing/tables.feature");
        var path = Path.Combine(second, "cucumber-messages.ndjson");
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines.Where(l => !l.StartsWith("{\"testRunFinished\"", StringComparison.Ordinal)));
        File.AppendAllText(path, "{\"testCaseSta");

        var outcome = ReportMerge.Merge([first, second], Path.Combine(_directory.FullName, "merged"));

        Assert.Equal("second: its stream (" + path + ") has no testRunFinished: the run was cut short", Assert.Single(outcome.FailedRuns));
        Assert.Contains(outcome.Warnings, w => w.Contains("cucumber-messages.ndjson:", StringComparison.Ordinal) && w.Contains("not a Cucumber message", StringComparison.Ordinal));
        Assert.NotEmpty(outcome.Scenarios);
    }

    private static void CollectIds(JsonElement element, HashSet<string> ids)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "id" && property.Value.ValueKind == JsonValueKind.String) ids.Add(property.Value.GetString()!);
                    else CollectIds(property.Value, ids);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) CollectIds(item, ids);
                break;
        }
    }
}
