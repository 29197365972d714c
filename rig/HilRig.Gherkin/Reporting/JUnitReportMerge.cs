using System.Globalization;
using System.Xml.Linq;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Merges the junit.xml files (<see cref="JUnitReportWriter"/>) of runs that ran parts of one selection into one: a
/// testsuite per feature holding that feature's test cases from every run (in the order the inputs were given), the
/// counts summed, and one "Run errors" suite last. Every test case says which run it came from (its label: the bench
/// or shard) in a <c>bench</c> property and on the first line of its system-out, which CI servers show.
/// </summary>
public static class JUnitReportMerge
{
    private const string RunErrors = "Run errors";

    /// <summary>The merged document of <paramref name="inputs"/> (label, junit.xml document).</summary>
    public static XDocument Merge(IEnumerable<(string Label, XDocument Report)> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var suites = new List<(string Key, XElement Suite)>();
        var errors = new List<XElement>();
        foreach (var (label, report) in inputs)
        {
            foreach (var suite in report.Root?.Elements("testsuite") ?? [])
            {
                var cases = suite.Elements("testcase").Select(c => Labelled(new XElement(c), label)).ToList();
                if ((string?)suite.Attribute("name") == RunErrors)
                {
                    errors.AddRange(cases);
                    continue;
                }
                var key = (string?)suite.Attribute("file") ?? (string?)suite.Attribute("name") ?? "";
                var merged = suites.FirstOrDefault(s => s.Key == key).Suite;
                if (merged is null)
                {
                    merged = new XElement("testsuite", suite.Attributes().Where(a => a.Name != "time" && a.Name != "tests" && a.Name != "failures" && a.Name != "skipped" && a.Name != "errors"));
                    suites.Add((key, merged));
                }
                merged.Add(cases);
            }
        }
        var all = suites.Select(s => Counted(s.Suite)).ToList();
        if (errors.Count > 0)
        {
            all.Add(Counted(new XElement("testsuite", new XAttribute("name", RunErrors), errors)));
        }
        return new XDocument(Counted(new XElement("testsuites", new XAttribute("name", "HilRig"), all)));
    }

    /// <summary>Merges the junit.xml files of <paramref name="inputs"/> (label, path) into <paramref name="outputPath"/>, written through a temporary file.</summary>
    public static void MergeFiles(IEnumerable<(string Label, string Path)> inputs, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputPath);
        var documents = new List<(string, XDocument)>();
        foreach (var (label, path) in inputs)
        {
            try
            {
                documents.Add((label, XDocument.Load(path)));
            }
            catch (System.Xml.XmlException ex)
            {
                throw new GherkinException($"{path}: not a JUnit XML report ({ex.Message})");
            }
        }
        var temporary = outputPath + ".tmp";
        Merge(documents).Save(temporary);
        File.Move(temporary, outputPath, overwrite: true);
    }

    private static XElement Labelled(XElement testCase, string label)
    {
        var output = testCase.Element("system-out");
        var line = $"bench: {label}";
        if (output is null)
        {
            testCase.Add(new XElement("system-out", line));
        }
        else
        {
            output.Value = output.Value.Length == 0 ? line : line + "\n" + output.Value;
        }
        testCase.AddFirst(new XElement("properties", new XElement("property", new XAttribute("name", "bench"), new XAttribute("value", label))));
        return testCase;
    }

    /// <summary>Sets tests, failures, errors, skipped and time of a suite (from its test cases) or of the root (from its suites).</summary>
    private static XElement Counted(XElement element)
    {
        var children = element.Name == "testsuites" ? element.Elements("testsuite").ToList() : element.Elements("testcase").ToList();
        int Sum(string name, Func<XElement, bool> isOne) => element.Name == "testsuites"
            ? children.Sum(c => (int?)c.Attribute(name) ?? 0)
            : children.Count(isOne);
        var seconds = children.Sum(c => double.TryParse((string?)c.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 0);
        element.SetAttributeValue("tests", Sum("tests", _ => true));
        element.SetAttributeValue("failures", Sum("failures", c => c.Element("failure") is not null));
        element.SetAttributeValue("errors", Sum("errors", c => c.Element("error") is not null));
        element.SetAttributeValue("skipped", Sum("skipped", c => c.Element("skipped") is not null));
        element.SetAttributeValue("time", seconds.ToString("0.000", CultureInfo.InvariantCulture));
        return element;
    }
}
