using System.Diagnostics;
using HilRig.Platform.Processes;

namespace HilRig.Core.Nodes;

/// <summary>What a shell command left: its exit code and what it printed.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a command of a wiring file (a power switch, a current reading, a flasher) with /bin/sh -c in a given
/// directory, with a time limit; a command that overruns it is killed with its children.
/// </summary>
public static class ShellCommand
{
    /// <summary>Runs <paramref name="command"/>; throws <see cref="TimeoutException"/> when it takes longer than <paramref name="timeout"/>.</summary>
    /// <exception cref="InvalidOperationException">/bin/sh cannot be started.</exception>
    public static async Task<ShellResult> RunAsync(string command, string? workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        Process process;
        try
        {
            process = ChildProcesses.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"`{command}` could not be started: {ex.Message}", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{command}` did not finish within {timeout.TotalSeconds:0} s");
            }
            return new ShellResult(process.ExitCode, (await stdout.ConfigureAwait(false)).Trim(), (await stderr.ConfigureAwait(false)).Trim());
        }
    }
}
