using HilRig.Gherkin.Execution;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// The standard report files of a run in one directory: <c>cucumber-messages.ndjson</c> (for the Cucumber HTML
/// report) and <c>junit.xml</c> (for CI). Pass <see cref="Listeners"/> to <see cref="RunOptions.Listeners"/>.
/// </summary>
public sealed class ReportFiles : IDisposable
{
    private readonly NdjsonReportWriter _ndjson;

    private ReportFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        NdjsonPath = Path.Combine(directory, "cucumber-messages.ndjson");
        JUnitPath = Path.Combine(directory, "junit.xml");
        _ndjson = NdjsonReportWriter.Create(NdjsonPath);
        Listeners = [_ndjson, new JUnitReportWriter(JUnitPath)];
    }

    /// <summary>The NDJSON file.</summary>
    public string NdjsonPath { get; }

    /// <summary>The JUnit XML file.</summary>
    public string JUnitPath { get; }

    /// <summary>The writers, to add to the run's listeners.</summary>
    public IReadOnlyList<IRunListener> Listeners { get; }

    /// <summary>Creates the directory and opens both files.</summary>
    public static ReportFiles Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new ReportFiles(Path.GetFullPath(directory));
    }

    /// <inheritdoc />
    public void Dispose() => _ndjson.Dispose();
}
