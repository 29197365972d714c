using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Reporting;

/// <summary>
/// Issue 16's acceptance for reports: a run whose feature file holds raw control bytes and invalid UTF-8, and whose
/// failure and attachment hold NUL, ESC and a lone UTF-16 surrogate, ends with a junit.xml any XML parser reads, an
/// NDJSON whose every line is UTF-8 JSON valid against the Cucumber messages schema and ends with testRunFinished, and
/// an HTML report that holds the scenarios. The run goes through <see cref="ReportFiles"/>, as `hilrig run` does.
/// </summary>
public sealed class HostileTextReportTests : IDisposable
{
    private const string PlainScenario = "A plain scenario after the hostile one";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-hostile-");

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>The feature file's bytes: ESC, NUL, BEL, BS, DEL, an encoded surrogate (ED A0 80), 0xFF and an overlong '/' (C0 AF).</summary>
    private static byte[] HostileFeature()
    {
        var bytes = new List<byte>();
        void Text(string text) => bytes.AddRange(Encoding.UTF8.GetBytes(text));
        void Raw(params byte[] raw) => bytes.AddRange(raw);
        Text("@ctl\u0001tag @esc\u001B[1m\n");
        Text("Feature: Hostile \u001B[1mtext\u001B[0m with a NUL \0 and bad UTF-8 ");
        Raw(0xED, 0xA0, 0x80, 0x20, 0xFF);
        Text("\n\n  Rule: a rule \u0007 rings\n\n");
        Text("  Scenario: Scenario \u001B[31mred\u001B[0m with a \u0007 bell and a \0 NUL\n");
        Text("    Given a doc string holding control characters:\n      \"\"\"\n      doc \u001B[2J \0 \u0008 ");
        Raw(0xED, 0xA0, 0x80);
        Text("\n      \"\"\"\n");
        Text("    And a table holding control characters:\n      | cell \u001B[0m | \0 nul |\n      | \u007F del | ");
        Raw(0xC0, 0xAF);
        Text(" overlong |\n");
        Text("    And a chip log with a lone surrogate is attached\n");
        Text("    When a step \u001B[33mwith escapes\u001B[0m throws a lone surrogate\n\n");
        Text($"  Scenario: {PlainScenario}\n    Given a step that passes\n");
        return [.. bytes];
    }

    [Fact]
    public async Task EveryReportIsCompleteAndValid_When_FeatureAndFailureTextsHoldNulEscAndInvalidUtf16()
    {
        await File.WriteAllBytesAsync(Path.Combine(_directory.FullName, "hostile.feature"), HostileFeature(), TestContext.Current.CancellationToken);
        var listenerErrors = new StringWriter();
        var console = new StringWriter();
        RunResult result;
        ReportFiles reports;
        using (reports = ReportFiles.Open(Path.Combine(_directory.FullName, "reports")))
        {
            var probe = new Probe();
            await using var runner = new GherkinRunner([typeof(RunnerHarness).Assembly]);
            result = await runner.RunAsync(PickleSelection.Of(["hostile.feature"], null), new RunOptions
            {
                BaseDirectory = _directory.FullName,
                Listeners = [.. reports.Listeners, new ConsoleProgressListener(console)],
                ListenerErrors = listenerErrors,
                ConfigureServices = services => services.RegisterInstanceAs(probe),
            }, TestContext.Current.CancellationToken);
        }

        Assert.Empty(result.Errors);
        Assert.Equal([PickleStatus.Failed, PickleStatus.Passed], result.Pickles.Select(p => p.Status));
        Assert.Contains("\uD800", result.Pickles[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("", listenerErrors.ToString());
        // The terminal gets the escapes as text, never as commands.
        Assert.Contains("FAIL  Hostile \\x1B[1mtext", console.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(console.ToString(), c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');
        AssertJUnitIsValidXml(reports.JUnitPath);
        AssertNdjsonIsValidAndComplete(reports.NdjsonPath);
        await AssertHtmlHoldsTheScenariosAsync(reports.HtmlPath, result.Pickles[0].Pickle.Name, File.ReadAllLines(reports.NdjsonPath).Length);
    }

    [Fact]
    public void Schema_RefusesWhatCucumberWouldRefuse()
    {
        // The schema the NDJSON is checked against is not vacuous: a missing required field, an unknown field and an
        // unknown status each fail, and a well-formed end record passes.
        Assert.Empty(MessagesSchema.Errors("""{"testRunFinished":{"success":true,"timestamp":{"seconds":1,"nanos":0}}}"""));
        Assert.NotEmpty(MessagesSchema.Errors("""{"testRunFinished":{"success":true}}"""));
        Assert.NotEmpty(MessagesSchema.Errors("""{"testRunFinished":{"success":true,"timestamp":{"seconds":1,"nanos":0},"colour":"red"}}"""));
        Assert.NotEmpty(MessagesSchema.Errors("""{"testStepFinished":{"testCaseStartedId":"a","testStepId":"b","timestamp":{"seconds":1,"nanos":0},"testStepResult":{"duration":{"seconds":0,"nanos":0},"status":"EXPLODED"}}}"""));
        Assert.NotEmpty(MessagesSchema.Errors("""{"no such message":{}}"""));
    }

    private static void AssertJUnitIsValidXml(string path)
    {
        Assert.False(File.Exists(path + ".tmp"));
        var document = XDocument.Load(path);
        using (var reader = XmlReader.Create(path))
        {
            while (reader.Read())
            {
            }
        }

        var root = document.Root!;
        Assert.Equal(2, (int)root.Attribute("tests")!);
        Assert.Equal(1, (int)root.Attribute("failures")!);
        var suite = Assert.Single(root.Elements("testsuite"));
        Assert.StartsWith("Hostile \\x1B[1mtext\\x1B[0m with a NUL \\x00 and bad UTF-8 \uFFFD", (string)suite.Attribute("name")!, StringComparison.Ordinal);
        var failed = suite.Elements("testcase").First();
        // Both scenarios are under the Rule, whose name comes first (with its BEL escaped).
        Assert.StartsWith("a rule \\x07 rings: Scenario \\x1B[31mred\\x1B[0m with a \\x07 bell and a \\x00 NUL", (string)failed.Attribute("name")!, StringComparison.Ordinal);
        var failure = failed.Element("failure")!;
        Assert.Contains("lone \\uD800 surrogate, \\x1B[31mESC\\x1B[0m and \\x00 NUL", (string)failure.Attribute("message")!, StringComparison.Ordinal);
        Assert.Contains("   at ", failure.Value, StringComparison.Ordinal);
        Assert.Contains("chip said \\uDBFF then \\x1B[2J and \\x00", failed.Element("system-out")!.Value, StringComparison.Ordinal);
        Assert.Equal("a rule \\x07 rings: " + PlainScenario, (string)suite.Elements("testcase").Last().Attribute("name")!);
    }

    private static void AssertNdjsonIsValidAndComplete(string path)
    {
        var text = StrictUtf8.GetString(File.ReadAllBytes(path));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var kinds = new List<string>();
        foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)))
        {
            var errors = MessagesSchema.Errors(line);
            Assert.True(errors.Count == 0, $"line {number} does not match the Cucumber messages schema: {string.Join("; ", errors)}\n{line}");
            using var document = JsonDocument.Parse(line);
            kinds.Add(Assert.Single(document.RootElement.EnumerateObject()).Name);
        }

        Assert.Equal("testRunFinished", kinds[^1]);
        Assert.Equal(2, kinds.Count(k => k == "testCaseFinished"));
        var envelopes = lines.Select(MessageJson.Deserialize).ToList();
        var source = Assert.Single(envelopes, e => e.Source is not null).Source.Data;
        Assert.Contains("\u001B[1mtext\u001B[0m with a NUL \0", source, StringComparison.Ordinal);
        var pickle = envelopes.First(e => e.Pickle is not null).Pickle;
        Assert.Equal("Scenario \u001B[31mred\u001B[0m with a \u0007 bell and a \0 NUL", pickle.Name);
        Assert.Equal(["@ctl\u0001tag", "@esc\u001B[1m"], pickle.Tags.Select(t => t.Name));
        var failure = Assert.Single(envelopes, e => e.TestStepFinished?.TestStepResult.Status == Io.Cucumber.Messages.Types.TestStepResultStatus.FAILED)
            .TestStepFinished.TestStepResult;
        // System.Text.Json writes the lone surrogate as U+FFFD; the NUL and the ESC survive as escapes.
        Assert.Contains("lone \uFFFD surrogate, \u001B[31mESC\u001B[0m and \0 NUL", failure.Message, StringComparison.Ordinal);
        Assert.Contains("lone \uFFFD surrogate", failure.Exception.StackTrace, StringComparison.Ordinal);
        var attachment = Assert.Single(envelopes, e => e.Attachment is not null).Attachment;
        Assert.Equal("chip said \uFFFD then \u001B[2J and \0", attachment.Body);
    }

    private static async Task AssertHtmlHoldsTheScenariosAsync(string path, string hostileName, int ndjsonLines)
    {
        var html = StrictUtf8.GetString(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(PlainScenario, html, StringComparison.Ordinal);
        // The hostile name is in the page as the JSON the messages carry (escaped, so no raw control character).
        Assert.Contains(JsonSerializer.Serialize(hostileName)[1..^1], html, StringComparison.Ordinal);
        // The messages sit in the page's script as a JSON array: no raw control character, nothing that closes the
        // script early, every envelope there, the end record last.
        const string Start = "window.CUCUMBER_MESSAGES = ";
        var from = html.IndexOf(Start, StringComparison.Ordinal) + Start.Length;
        var messages = html[from..html.IndexOf("</script>", from, StringComparison.Ordinal)].TrimEnd().TrimEnd(';');
        Assert.DoesNotContain(messages, c => c < 0x20);
        Assert.DoesNotContain("</", messages, StringComparison.Ordinal);
        using var array = JsonDocument.Parse(messages);
        Assert.Equal(ndjsonLines, array.RootElement.GetArrayLength());
        Assert.True(array.RootElement[ndjsonLines - 1].TryGetProperty("testRunFinished", out _));
    }
}
