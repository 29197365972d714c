using System.Text;
using System.Text.Json;
using Cucumber.HtmlFormatter;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Reporting;

/// <summary>What <see cref="CucumberHtmlReport.Write"/> made of a run's messages.</summary>
/// <param name="Messages">The envelopes the report shows.</param>
/// <param name="SkippedLines">Lines that were not Cucumber messages (a run killed in the middle of a line), each as
/// <c>line N: why</c>; the report shows the rest.</param>
public sealed record HtmlReportOutcome(int Messages, IReadOnlyList<string> SkippedLines);

/// <summary>
/// The standard Cucumber HTML report (Cucumber.HtmlFormatter, the same page @cucumber/html-formatter writes, with no
/// Node.js) from a run's Cucumber messages NDJSON. The messages go into the page as JSON written by
/// <see cref="MessageJson"/>, which escapes every control character, <c>&lt;</c> and every non-ASCII character, and
/// writes a lone UTF-16 surrogate as U+FFFD, so no text of a run can break the page or its script.
/// </summary>
public static class CucumberHtmlReport
{
    /// <summary>The page title.</summary>
    public const string Title = "HilRig run";

    /// <summary>
    /// Reads <paramref name="ndjsonPath"/> and writes the report to <paramref name="htmlPath"/> through a temporary file
    /// and a rename, so a reader never sees half a page; writes nothing when the file holds no message at all. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when a file cannot be read or written.
    /// </summary>
    public static HtmlReportOutcome Write(string ndjsonPath, string htmlPath)
    {
        ArgumentNullException.ThrowIfNull(ndjsonPath);
        ArgumentNullException.ThrowIfNull(htmlPath);
        var envelopes = new List<Envelope>();
        var skipped = new List<string>();
        // The NDJSON writer may still hold the file open for writing (the report at the end of a run).
        using (var stream = new FileStream(ndjsonPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, new UTF8Encoding(false)))
        {
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    envelopes.Add(MessageJson.Deserialize(line));
                }
                catch (JsonException exception)
                {
                    skipped.Add($"line {number}: not a Cucumber message ({exception.Message})");
                }
            }
        }

        if (envelopes.Count == 0)
        {
            // Not a run's messages at all: an existing report is better left as it is.
            return new HtmlReportOutcome(0, skipped);
        }

        var target = Path.GetFullPath(htmlPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var writer = new MessagesToHtmlWriter(
                    new StreamWriter(stream, new UTF8Encoding(false)),
                    WriteEnvelope,
                    new HtmlReportSettings { Title = Title });
                using (writer)
                {
                    foreach (var envelope in envelopes)
                    {
                        writer.Write(envelope);
                    }
                }
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return new HtmlReportOutcome(envelopes.Count, skipped);
    }

    // Synchronous on purpose: the formatter calls it from its synchronous Write, and it completes at once.
    private static Task WriteEnvelope(StreamWriter writer, Envelope envelope)
    {
        writer.Write(MessageJson.Serialize(envelope));
        return Task.CompletedTask;
    }
}
