using System.Diagnostics;
using HilRig.Core.Timeline;

namespace HilRig.Core.Nodes;

/// <summary>
/// One node of the virtual bench running as its own OS process (an emulated chip, the emulated module,
/// or a team's host build named by the wiring file). Its stderr and stdout go to a log file and the
/// timeline; killing it is how the virtual power switch cuts power.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly BenchTimeline _timeline;

    private NodeProcess(string node, Process process, StreamWriter log, BenchTimeline timeline)
    {
        Node = node;
        _process = process;
        _log = log;
        _timeline = timeline;
    }

    /// <summary>The node's name.</summary>
    public string Node { get; }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>, logging to <paramref name="logPath"/>.</summary>
    public static NodeProcess Start(string node, string fileName, IEnumerable<string> arguments, string logPath, BenchTimeline timeline)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node_ = new NodeProcess(node, process, log, timeline);
        process.ErrorDataReceived += (_, e) => node_.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => node_.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            log.Dispose();
            throw new InvalidOperationException($"node {node}: cannot start '{fileName}': {ex.Message}", ex);
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        timeline.Add(node, "process", $"started pid {process.Id}: {fileName} {string.Join(' ', info.ArgumentList)}");
        return node_;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.WriteLine(line);
        }
        _timeline.Add(Node, "log", line);
    }

    /// <summary>Kills the process at once (a power cut) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _timeline.Add(Node, "process", $"exited with code {_process.ExitCode}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
