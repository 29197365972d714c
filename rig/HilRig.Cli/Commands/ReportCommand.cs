using System.CommandLine;
using HilRig.Gherkin.Reporting;

namespace HilRig.Cli.Commands;

/// <summary>
/// `hilrig report html`: the standard Cucumber HTML report of a run, from its Cucumber messages, with the
/// Cucumber.HtmlFormatter package (no Node.js or npm). `hilrig run` writes the same report.html at the end of a run;
/// this command writes it again, for a run that was killed before its end or to another file.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "A run's report directory (artifacts/run-...) or its cucumber-messages.ndjson." };
        var output = new Option<string?>("--out") { Description = "The HTML file to write (default: report.html beside the messages)." };
        var html = new Command("html", "Write the Cucumber HTML report of a run (hilrig run writes it too, as report.html).") { run, output };
        html.SetAction(async (result, token) =>
        {
            var source = result.GetRequiredValue(run);
            var messages = Directory.Exists(source) ? Path.Combine(source, "cucumber-messages.ndjson") : source;
            if (!File.Exists(messages))
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} does not exist (give a run's report directory or its cucumber-messages.ndjson)");
                return 2;
            }
            var target = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(messages) is { Length: > 0 } folder ? folder : ".", "report.html");
            HtmlReportOutcome outcome;
            try
            {
                outcome = await Task.Run(() => CucumberHtmlReport.Write(messages, target), token);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {ex.Message}");
                return 1;
            }
            foreach (var skipped in outcome.SkippedLines)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} {skipped}; left out of the report");
            }
            if (outcome.Messages == 0)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} holds no Cucumber messages; no report written");
                return 2;
            }
            Console.WriteLine(target);
            return 0;
        });
        return new Command("report", "Reports people read.") { html };
    }
}
