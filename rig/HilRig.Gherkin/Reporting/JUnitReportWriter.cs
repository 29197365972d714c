using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Writes JUnit XML for CI servers: a testsuite per feature, a testcase per pickle (classname = feature name,
/// name = the Rule's name, if any, then the scenario's name with the example values). The whole file is rewritten after every pickle through a
/// temporary file and a rename, so it is always complete, valid XML; a character XML 1.0 cannot hold (a NUL, an
/// ESC, a lone UTF-16 surrogate) is written as <c>\xNN</c> or <c>\uNNNN</c>, in any name, message or text. Run
/// errors (parse errors, missing paths, feature hooks) become failed test cases of a last suite named "Run errors".
/// </summary>
public sealed class JUnitReportWriter(string path) : IRunListener
{
    private readonly string _path = System.IO.Path.GetFullPath(path);
    private readonly List<PickleResult> _results = [];
    private readonly Dictionary<string, List<string>> _earlierFailures = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _runErrors = [];

    /// <summary>The file being written.</summary>
    public string Path => _path;

    /// <inheritdoc />
    public void OnRunStarted(RunStartedEvent run) => Save();

    /// <inheritdoc />
    public void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        // An attempt that will be retried is not the scenario's result: the last attempt is (it says how many there were).
        if (result.WillBeRetried)
        {
            _earlierFailures[result.Id] = [.. _earlierFailures.GetValueOrDefault(result.Id, []), result.ErrorMessage ?? result.Status.ToString()];
            return;
        }

        _results.Add(result);
        Save();
    }

    /// <inheritdoc />
    public void OnRunFinished(RunResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        _runErrors = result.Errors;
        Save();
    }

    /// <summary>The report as it stands.</summary>
    public XDocument ToXml()
    {
        var suites = _results.GroupBy(r => r.Pickle.Feature).Select(Suite).ToList();
        if (_runErrors.Count > 0)
        {
            suites.Add(new XElement("testsuite",
                new XAttribute("name", "Run errors"),
                new XAttribute("tests", _runErrors.Count),
                new XAttribute("failures", _runErrors.Count),
                new XAttribute("errors", 0),
                new XAttribute("skipped", 0),
                new XAttribute("time", "0"),
                _runErrors.Select(e => new XElement("testcase",
                    new XAttribute("classname", "Run errors"),
                    new XAttribute("name", e.Split('\n')[0].Trim()),
                    new XAttribute("time", "0"),
                    new XElement("failure", new XAttribute("message", e), e)))));
        }

        return new XDocument(new XElement("testsuites",
            new XAttribute("name", "HilRig"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", suites.Sum(s => (int)s.Attribute("skipped")!)),
            new XAttribute("time", Seconds(_results.Aggregate(TimeSpan.Zero, (t, r) => t + r.Duration))),
            suites));
    }

    private XElement Suite(IGrouping<FeatureFile, PickleResult> feature) => new("testsuite",
        new XAttribute("name", feature.Key.Name),
        new XAttribute("tests", feature.Count()),
        new XAttribute("failures", feature.Count(r => IsFailure(r.Status))),
        new XAttribute("errors", 0),
        new XAttribute("skipped", feature.Count(r => r.Status == PickleStatus.Skipped)),
        new XAttribute("time", Seconds(feature.Aggregate(TimeSpan.Zero, (t, r) => t + r.Duration))),
        new XAttribute("file", feature.Key.Uri),
        feature.Select(TestCase));

    private XElement TestCase(PickleResult result)
    {
        var element = new XElement("testcase",
            new XAttribute("classname", result.Pickle.Feature.Name),
            new XAttribute("name", result.Pickle.QualifiedName),
            new XAttribute("time", Seconds(result.Duration)),
            new XAttribute("file", result.Pickle.Feature.Uri),
            new XAttribute("line", result.Pickle.Line));
        if (IsFailure(result.Status))
        {
            var step = result.FailedStep;
            var body = new StringBuilder();
            if (step is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $"{step.Status} at: {step.Step.Text}");
                body.AppendLine(step.Step.Line > 0 ? $" ({result.Pickle.Feature.Uri}:{step.Step.Line})" : "");
            }

            body.AppendLine(result.ErrorMessage);
            if (step?.StackTrace is not null)
            {
                body.AppendLine(step.StackTrace);
            }

            element.Add(new XElement("failure",
                new XAttribute("message", result.ErrorMessage ?? result.Status.ToString()),
                new XAttribute("type", step?.ErrorType ?? result.Status.ToString()),
                body.ToString()));
        }
        else if (result.Status == PickleStatus.Skipped)
        {
            element.Add(new XElement("skipped", new XAttribute("message", result.ErrorMessage ?? "skipped")));
        }

        // Steps, then the attachments: short text ones in full (e.g. the command that reproduces the
        // scenario), the others by name, since a CI server shows only this text.
        var attachments = result.Attachments.Select(a => a is { MediaType: "text/plain" or "text/x.cucumber.log+plain", TextBody: { Length: <= 2048 } }
            ? $"{a.Name ?? "log"}: {a.TextBody}"
            : $"attachment {a.Name} ({a.MediaType})");
        // A retried scenario says so: how many attempts, and why the earlier ones failed (a flaky night shows here).
        var retries = _earlierFailures.GetValueOrDefault(result.Id, [])
            .Select((message, i) => $"attempt {i + 1} of {result.Attempt + 1} failed, retried: {message}");
        element.Add(new XElement("system-out", string.Join("\n", retries.Concat(result.Steps.Select(s => $"[{s.Status}] {s.Step.Text}")).Concat(attachments))));
        return element;
    }

    private static bool IsFailure(PickleStatus status) => status is not PickleStatus.Passed and not PickleStatus.Skipped;

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        var temporary = _path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
                using (var writer = XmlWriter.Create(stream, settings))
                {
                    WithoutControlCharacters(ToXml()).Save(writer);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, _path, overwrite: true);
        }
        catch
        {
            // The last complete junit.xml stays as it was; no half-written .tmp beside it.
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// The document with every character XML 1.0 cannot hold (a NUL, an ANSI escape from a chip's log, a lone surrogate)
    /// written as <c>\xNN</c>, so one such character in a name or a message never costs the report.
    /// </summary>
    private static XDocument WithoutControlCharacters(XDocument document)
    {
        foreach (var attribute in document.Descendants().Attributes())
        {
            attribute.Value = XmlSafe(attribute.Value);
        }
        foreach (var text in document.DescendantNodes().OfType<XText>())
        {
            text.Value = XmlSafe(text.Value);
        }
        return document;
    }

    /// <summary><paramref name="text"/> with each character XML 1.0 cannot hold written as <c>\xNN</c> (<c>\uNNNN</c> above 0xFF).</summary>
    internal static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar))
        {
            return text;
        }
        var safe = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                safe.Append(c);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                safe.Append(c).Append(text[++i]);
            }
            else
            {
                safe.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
            }
        }
        return safe.ToString();
    }
}
