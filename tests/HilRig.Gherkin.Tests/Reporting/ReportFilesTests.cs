using System.Text.Json;
using System.Xml.Linq;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Reporting;

public sealed class ReportFilesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-gherkin-");
    private readonly RunnerHarness _harness = new();

    public void Dispose() => _directory.Delete(recursive: true);

    private async Task<ReportFiles> RunWithReportsAsync(params string[] paths)
    {
        var reports = ReportFiles.Open(_directory.FullName);
        using (reports)
        {
            await _harness.RunAsync(paths, null, [.. reports.Listeners]);
        }

        return reports;
    }

    [Fact]
    public async Task Ndjson_HasMessageKindsInProtocolOrder_When_RunFinishes()
    {
        var reports = await RunWithReportsAsync("Features/Passing/tables.feature", "Features/Failing/failing.feature:3");

        var kinds = File.ReadAllLines(reports.NdjsonPath).Select(Kind).ToList();

        Assert.Equal(
            ["meta", "source", "gherkinDocument", "source", "gherkinDocument", "pickle", "pickle"],
            kinds.Take(7));
        var runStarted = kinds.IndexOf("testRunStarted");
        Assert.All(kinds.Skip(7).Take(runStarted - 7), k => Assert.Contains(k, new[] { "parameterType", "stepDefinition", "hook" }));
        var perTestCase = string.Join(",", kinds.Skip(runStarted + 1).SkipLast(1));
        // The test project's [BeforeTestRun] and [AfterTestRun] hooks (StepDefinitions/BehaviourSteps.cs) come first and last.
        Assert.Equal(
            "testRunHookStarted,testRunHookFinished,"
            + "testCase,testCaseStarted,testStepStarted,testStepFinished,testStepStarted,testStepFinished,testCaseFinished,"
            + "testCase,testCaseStarted,testStepStarted,testStepFinished,testStepStarted,testStepFinished,testStepStarted,testStepFinished,testCaseFinished,"
            + "testRunHookStarted,testRunHookFinished",
            perTestCase);
        Assert.Equal("testRunFinished", kinds[^1]);
    }

    [Fact]
    public async Task Ndjson_LinksIdsConsistently_When_RunHasHooksStepsAndAttachments()
    {
        var reports = await RunWithReportsAsync("Features/Passing/hooks.feature", "Features/Failing/failing.feature");
        var messages = File.ReadAllLines(reports.NdjsonPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        IEnumerable<JsonElement> Of(string kind) => messages.Where(m => m.TryGetProperty(kind, out _)).Select(m => m.GetProperty(kind));
        var pickleSteps = Of("pickle").SelectMany(p => p.GetProperty("steps").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToHashSet();
        var pickles = Of("pickle").Select(p => p.GetProperty("id").GetString()).ToHashSet();
        var definitions = Of("stepDefinition").Select(d => d.GetProperty("id").GetString()).ToHashSet();
        var hooks = Of("hook").Select(h => h.GetProperty("id").GetString()).ToHashSet();
        var testSteps = new HashSet<string?>();
        foreach (var testCase in Of("testCase"))
        {
            Assert.Contains(testCase.GetProperty("pickleId").GetString(), pickles);
            foreach (var step in testCase.GetProperty("testSteps").EnumerateArray())
            {
                testSteps.Add(step.GetProperty("id").GetString());
                if (step.TryGetProperty("hookId", out var hookId))
                {
                    Assert.Contains(hookId.GetString(), hooks);
                }
                else
                {
                    Assert.Contains(step.GetProperty("pickleStepId").GetString(), pickleSteps);
                    Assert.All(step.GetProperty("stepDefinitionIds").EnumerateArray(), d => Assert.Contains(d.GetString(), definitions));
                }
            }
        }

        var testCases = Of("testCase").Select(t => t.GetProperty("id").GetString()).ToHashSet();
        var started = Of("testCaseStarted").Select(t => t.GetProperty("id").GetString()).ToHashSet();
        Assert.All(Of("testCaseStarted"), s => Assert.Contains(s.GetProperty("testCaseId").GetString(), testCases));
        Assert.All(Of("testStepFinished"), s => Assert.Contains(s.GetProperty("testStepId").GetString(), testSteps));
        Assert.All(Of("testStepFinished"), s => Assert.Contains(s.GetProperty("testCaseStartedId").GetString(), started));
        Assert.All(Of("testCaseFinished"), s => Assert.Contains(s.GetProperty("testCaseStartedId").GetString(), started));
        var attachment = Assert.Single(Of("attachment"), a => a.GetProperty("body").GetString() == "step of First hooked scenario");
        Assert.Contains(attachment.GetProperty("testStepId").GetString(), testSteps);
        Assert.Equal("IDENTITY", attachment.GetProperty("contentEncoding").GetString());

        var statuses = Of("testStepFinished").Select(s => s.GetProperty("testStepResult").GetProperty("status").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "PASSED", "FAILED", "SKIPPED", "UNDEFINED", "AMBIGUOUS", "PENDING" }, statuses);
        Assert.Equal("text/x.cucumber.gherkin+plain", Of("source").First().GetProperty("mediaType").GetString());
        Assert.False(Of("testRunFinished").Single().GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Ndjson_RoundTripsThroughCucumberMessages_When_Deserialized()
    {
        var reports = await RunWithReportsAsync("Features/Passing/outline.feature:13");

        var envelopes = File.ReadAllLines(reports.NdjsonPath).Select(MessageJson.Deserialize).ToList();

        Assert.Equal("Cut power at 10% of the transfer", Assert.Single(envelopes, e => e.Pickle is not null).Pickle.Name);
        Assert.All(envelopes.Where(e => e.TestStepFinished is not null),
            e => Assert.Equal(Io.Cucumber.Messages.Types.TestStepResultStatus.PASSED, e.TestStepFinished.TestStepResult.Status));
    }

    [Fact]
    public async Task JUnit_CountsTestsFailuresAndSkips_When_RunFinishes()
    {
        var reports = await RunWithReportsAsync("Features/Passing/outline.feature", "Features/Failing/failing.feature", "Features/Broken");

        var xml = XDocument.Load(reports.JUnitPath);

        var root = xml.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(["Outline with background", "Failures", "Run errors"], root.Elements("testsuite").Select(s => (string)s.Attribute("name")!));
        var failures = root.Elements("testsuite").ElementAt(1);
        Assert.Equal(5, (int)failures.Attribute("tests")!);
        Assert.Equal(4, (int)failures.Attribute("failures")!);
        Assert.Equal(1, (int)failures.Attribute("skipped")!);
        Assert.Equal(10, (int)root.Attribute("tests")!);
        Assert.Equal(5, (int)root.Attribute("failures")!);
        var outlineCase = root.Elements("testsuite").First().Elements("testcase").ElementAt(2);
        Assert.Equal("Outline with background", (string)outlineCase.Attribute("classname")!);
        Assert.Equal("Cut power at 95% of the transfer [percent=95, image=B]", (string)outlineCase.Attribute("name")!);
        var failure = failures.Elements("testcase").First().Element("failure")!;
        Assert.Equal("InvalidOperationException: the DUT did not answer", (string)failure.Attribute("message")!);
        Assert.Contains("When a step throws \"the DUT did not answer\"", failure.Value, StringComparison.Ordinal);
        Assert.False(File.Exists(reports.JUnitPath + ".tmp"));
    }

    [Fact]
    public async Task JUnit_ShowsControlCharactersAsEscapes_And_TheRunEndsWithEveryReport_When_ATextCarriesThem()
    {
        // An ANSI colour or a NUL in a feature's name or a failure's message is not a character XML 1.0 can hold: it
        // made the writer throw, the run died with a stale junit.xml and a stray .tmp, and the NDJSON had no end.
        var reports = await RunWithReportsAsync("Features/ControlCharacters/control.feature");

        var root = XDocument.Load(reports.JUnitPath).Root!;
        var suite = Assert.Single(root.Elements("testsuite"));
        Assert.Equal("Control characters \\x1B[1min\\x1B[0m names", (string)suite.Attribute("name")!);
        var failure = suite.Element("testcase")!.Element("failure")!;
        Assert.Equal("InvalidOperationException: \\x1B[31mthe DUT said\\x1B[0m \\x00 and stopped", (string)failure.Attribute("message")!);
        Assert.False(File.Exists(reports.JUnitPath + ".tmp"));
        Assert.Equal("testRunFinished", Kind(File.ReadAllLines(reports.NdjsonPath)[^1]));
    }

    [Fact]
    public async Task JUnit_NamesCarryTheRule_When_TwoRulesHaveAScenarioOfTheSameName()
    {
        var reports = await RunWithReportsAsync("Features/Behaviour/rules.feature");

        var names = XDocument.Load(reports.JUnitPath).Root!.Descendants("testcase").Select(t => (string)t.Attribute("name")!);

        Assert.Equal(["Resume after a power cut: The chip comes back", "Resume after a UART disconnect: The chip comes back"], names);
    }

    private static string Kind(string line)
    {
        using var document = JsonDocument.Parse(line);
        return Assert.Single(document.RootElement.EnumerateObject()).Name;
    }
}
