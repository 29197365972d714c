using System.Diagnostics;
using HilRig.Platform.Processes;
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
    private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killedByRig;

    private NodeProcess(string node, Process process, StreamWriter log, BenchTimeline timeline)
    {
        Node = node;
        _process = process;
        _log = log;
        _timeline = timeline;
    }

    /// <summary>The node's name.</summary>
    public string Node { get; }

    /// <summary>
    /// Completes when the node prints its first line containing "boot" (the emulated chips and the C
    /// reference chip log their boot record first), or when the process exits.
    /// </summary>
    public Task Booted => _booted.Task;

    /// <summary>Completes with the exit code when the process ends, whoever ended it.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>True when the rig killed the process (a power switch), false when it ended by itself.</summary>
    public bool KilledByRig => _killedByRig;

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
        var command = $"{fileName} {string.Join(' ', info.ArgumentList)}";
        var node_ = new NodeProcess(node, process, log, timeline);
        process.ErrorDataReceived += (_, e) => node_.OnLine(e.Data);
        process.Exited += (_, _) => node_.OnExited();
        process.OutputDataReceived += (_, e) => node_.OnLine(e.Data);
        try
        {
            ChildProcesses.Start(process);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            log.Dispose();
            throw new InvalidOperationException($"node {node}: cannot start '{fileName}': {ex.Message}", ex);
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        timeline.Add(node, "process", $"started pid {process.Id}: {command}");
        return node_;
    }

    private void OnExited()
    {
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }
        _booted.TrySetResult();
        _exited.TrySetResult(code);
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        if (line.Contains("boot", StringComparison.OrdinalIgnoreCase))
        {
            _booted.TrySetResult();
        }
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
            _killedByRig = true;
            // The node is one process (a command runs through "exec"), and walking the process tree
            // costs tens of ms per node: a whole-device cut must hit every node at the same moment.
            _process.Kill(entireProcessTree: false);
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
