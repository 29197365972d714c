using HilRig.Gherkin.Execution;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// The standard report files of a run in one directory: <c>cucumber-messages.ndjson</c> (Cucumber messages, written
/// as the run goes), <c>junit.xml</c> (for CI, rewritten after every scenario) and <c>report.html</c> (the Cucumber
/// HTML report, written from the NDJSON when the run ends). Pass <see cref="Listeners"/> to
/// <see cref="RunOptions.Listeners"/>; a writer that fails costs only its own file.
/// </summary>
public sealed class ReportFiles : IDisposable
{
    private readonly NdjsonReportWriter _ndjson;

    private ReportFiles(string directory, string? bench)
    {
        Directory.CreateDirectory(directory);
        NdjsonPath = Path.Combine(directory, "cucumber-messages.ndjson");
        JUnitPath = Path.Combine(directory, "junit.xml");
        HtmlPath = Path.Combine(directory, "report.html");
        _ndjson = NdjsonReportWriter.Create(NdjsonPath, bench);
        // The HTML writer reads what the NDJSON writer flushed in its OnRunFinished, so it comes after it.
        Listeners = [_ndjson, new JUnitReportWriter(JUnitPath), new HtmlReportWriter(NdjsonPath, HtmlPath)];
    }

    /// <summary>The NDJSON file.</summary>
    public string NdjsonPath { get; }

    /// <summary>The JUnit XML file.</summary>
    public string JUnitPath { get; }

    /// <summary>The Cucumber HTML report, written when the run finishes.</summary>
    public string HtmlPath { get; }

    /// <summary>The writers, to add to the run's listeners.</summary>
    public IReadOnlyList<IRunListener> Listeners { get; }

    /// <summary>Creates the directory and opens the NDJSON file; <paramref name="bench"/> names the bench the test cases run on (testCaseStarted.workerId), if any.</summary>
    public static ReportFiles Open(string directory, string? bench = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new ReportFiles(Path.GetFullPath(directory), bench);
    }

    /// <inheritdoc />
    public void Dispose() => _ndjson.Dispose();
}
