using HilRig.Gherkin.Execution;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Writes the Cucumber HTML report (<see cref="CucumberHtmlReport"/>) from the run's NDJSON when the run finishes.
/// List it after the <see cref="NdjsonReportWriter"/> of <paramref name="ndjsonPath"/>, which has then flushed its
/// end record. A failure here is the listener's own: the run and the other reports go on (see
/// <see cref="RunOptions.Listeners"/>).
/// </summary>
public sealed class HtmlReportWriter(string ndjsonPath, string htmlPath) : IRunListener
{
    /// <summary>The HTML file.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(htmlPath);

    /// <inheritdoc />
    public void OnRunFinished(RunResult result, DateTimeOffset timestamp) => CucumberHtmlReport.Write(ndjsonPath, Path);
}
