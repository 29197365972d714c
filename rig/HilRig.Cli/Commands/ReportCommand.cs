using System.CommandLine;
using System.Diagnostics;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig report html`: the standard Cucumber HTML report of a run, from its Cucumber messages.</summary>
internal static class ReportCommand
{
    /// <summary>Where `./setup.sh report` installs @cucumber/html-formatter and the script that drives it.</summary>
    public static string ReportingDirectory => Path.Combine(RepoPaths.Root, "rig", "HilRig.Cli", "Reporting");

    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "A run's report directory (artifacts/run-...) or its cucumber-messages.ndjson." };
        var output = new Option<string?>("--out") { Description = "The HTML file to write (default: report.html beside the messages)." };
        var html = new Command("html", "Write the Cucumber HTML report of a run (needs Node.js; ./setup.sh report installs the formatter).") { run, output };
        html.SetAction(async (result, token) =>
        {
            var source = result.GetRequiredValue(run);
            var messages = Directory.Exists(source) ? Path.Combine(source, "cucumber-messages.ndjson") : source;
            if (!File.Exists(messages))
            {
                await Console.Error.WriteLineAsync($"hilrig report html: {messages} does not exist (give a run's report directory or its cucumber-messages.ndjson)");
                return 2;
            }
            var script = Path.Combine(ReportingDirectory, "cucumber-html.mjs");
            if (!Directory.Exists(Path.Combine(ReportingDirectory, "node_modules", "@cucumber", "html-formatter")))
            {
                await Console.Error.WriteLineAsync("hilrig report html: @cucumber/html-formatter is not installed; run ./setup.sh report (needs Node.js and npm)");
                return 2;
            }
            var target = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(messages))!, "report.html");
            var info = new ProcessStartInfo("node") { RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(script);
            info.ArgumentList.Add(messages);
            info.ArgumentList.Add(target);
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                await Console.Error.WriteLineAsync($"hilrig report html: cannot run node ({ex.Message}); install Node.js, then ./setup.sh report");
                return 2;
            }
            using (process)
            {
                var error = await process.StandardError.ReadToEndAsync(token);
                await process.WaitForExitAsync(token);
                if (process.ExitCode != 0)
                {
                    await Console.Error.WriteLineAsync($"hilrig report html: {error.Trim()}");
                    return 1;
                }
            }
            Console.WriteLine(target);
            return 0;
        });
        return new Command("report", "Reports people read.") { html };
    }
}
