using System.Diagnostics;
using HilRig.Platform.Processes;
using System.Text;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Core.Nodes;

/// <summary>
/// A command chip's build (the wiring's <c>build:</c>), run once per bench before the chip is first switched on,
/// so a firmware that compiles slowly on a loaded machine does not eat the chip's boot deadline. The command runs
/// through /bin/sh in the wiring file's directory; its output goes to the timeline, and a failure names the
/// chip, the command and the last lines it printed.
/// </summary>
public sealed class FirmwareBuild(ChipBuild build, string chipName, BenchTimeline timeline, TimeSpan timeout)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _built;

    /// <summary>How long a build may take before the bench gives up on it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs the build unless it has already succeeded on this bench.</summary>
    public async Task EnsureBuiltAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_built) return;
            await RunAsync(cancellationToken).ConfigureAwait(false);
            _built = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = build.WorkingDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(build.Command);
        var clock = Stopwatch.StartNew();
        timeline.Add(chipName, "build", $"building: {build.Command}");
        using var process = ChildProcesses.Start(info);
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested) throw;
            throw new TimeoutException($"chip {chipName}: its build `{build.Command}` (in {build.WorkingDirectory}) did not finish within {timeout.TotalSeconds:0.#} s{Tail(output)}");
        }
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            timeline.Add(chipName, "build", $"build failed with exit code {process.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
            throw new InvalidOperationException($"chip {chipName}: its build `{build.Command}` (in {build.WorkingDirectory}) failed with exit code {process.ExitCode}{Tail(output)}");
        }
        timeline.Add(chipName, "build", $"built in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (output) output.AppendLine(line);
        }
    }

    private static string Tail(StringBuilder output)
    {
        string[] lines;
        lock (output) lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "" : ":" + Environment.NewLine + string.Join(Environment.NewLine, lines.TakeLast(15));
    }
}
