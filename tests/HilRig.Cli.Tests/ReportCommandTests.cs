using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>`hilrig report html` and the report.html every `hilrig run` writes: Cucumber.HtmlFormatter, no Node.js.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-report-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Run_Writes_The_Html_Report_And_Report_Html_Writes_It_Again()
    {
        var output = await RunUndefinedFeatureAsync();
        var html = Path.Combine(output, "report.html");
        Assert.Contains("A report people read", await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        File.Delete(html);

        var report = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "html", output);

        Assert.True(report.ExitCode == 0, report.All);
        Assert.Equal("", report.StandardError);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("An undefined step still makes a report", page, StringComparison.Ordinal);
        Assert.Contains("\"testRunFinished\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Html_Leaves_Out_A_Line_A_Killed_Run_Cut_Short_And_Names_It()
    {
        var output = await RunUndefinedFeatureAsync();
        var messages = Path.Combine(output, "cucumber-messages.ndjson");
        var lines = await File.ReadAllLinesAsync(messages, TestContext.Current.CancellationToken);
        // As a run killed in the middle of writing its last line leaves it.
        await File.WriteAllTextAsync(messages, string.Join("\n", lines[..^1]) + "\n" + lines[^1][..10], TestContext.Current.CancellationToken);
        var target = Path.Combine(_directory.FullName, "elsewhere", "page.html");

        var report = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "html", messages, "--out", target);

        Assert.True(report.ExitCode == 0, report.All);
        var warning = Assert.Single(report.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"hilrig report html: {messages} line {lines.Length}: not a Cucumber message (", warning, StringComparison.Ordinal);
        Assert.EndsWith("; left out of the report", warning, StringComparison.Ordinal);
        Assert.Contains("A report people read", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Html_Refuses_A_File_With_No_Messages_In_One_Line()
    {
        var notMessages = Path.Combine(_directory.FullName, "notes.ndjson");
        await File.WriteAllTextAsync(notMessages, "this is not JSON\n", TestContext.Current.CancellationToken);

        var result = await HilrigProcess.RunAsync(_directory.FullName, "report", "html", "notes.ndjson");

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith("hilrig report html: notes.ndjson holds no Cucumber messages; no report written", result.StandardError.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "report.html")));
    }

    [Fact]
    public async Task Report_Html_Names_A_Missing_Run_In_One_Line()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "html", "/no/such/run");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hilrig report html: /no/such/run does not exist", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>`hilrig run` on a one-scenario feature whose step is undefined (no bench needed); returns the report directory.</summary>
    private async Task<string> RunUndefinedFeatureAsync()
    {
        var feature = Path.Combine(_directory.FullName, "report.feature");
        await File.WriteAllTextAsync(feature, """
            Feature: A report people read
              Scenario: An undefined step still makes a report
                When the chip 3 is struck by lightning
            """, TestContext.Current.CancellationToken);
        var output = Path.Combine(_directory.FullName, "out");
        var run = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", feature, "--out", output);
        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains($"{output}/report.html", run.StandardOutput, StringComparison.Ordinal);
        return output;
    }
}
