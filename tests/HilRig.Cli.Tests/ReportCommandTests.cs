using Xunit;

namespace HilRig.Cli.Tests;

public sealed class ReportCommandTests
{
    [Fact]
    public async Task Report_Html_Turns_A_Run_Into_The_Cucumber_Html_Report()
    {
        var formatter = Path.Combine(HilrigProcess.RepoRoot(), "rig", "HilRig.Cli", "Reporting", "node_modules", "@cucumber", "html-formatter");
        Assert.SkipUnless(Directory.Exists(formatter), "@cucumber/html-formatter is not installed here; ./setup.sh report installs it (needs Node.js and npm)");
        var dir = Directory.CreateTempSubdirectory("hilrig-report-");
        var feature = Path.Combine(dir.FullName, "report.feature");
        await File.WriteAllTextAsync(feature, """
            Feature: A report people read
              Scenario: An undefined step still makes a report
                When the chip 3 is struck by lightning
            """, TestContext.Current.CancellationToken);
        var output = Path.Combine(dir.FullName, "out");
        var run = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", feature, "--out", output);
        Assert.Equal(1, run.ExitCode);

        var report = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "html", output);

        Assert.Equal(0, report.ExitCode);
        var html = await File.ReadAllTextAsync(Path.Combine(output, "report.html"), TestContext.Current.CancellationToken);
        Assert.Contains("A report people read", html, StringComparison.Ordinal);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Report_Html_Names_A_Missing_Run_In_One_Line()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "html", "/no/such/run");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hilrig report html: /no/such/run does not exist", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }
}
