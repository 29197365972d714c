using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using HilRig.Platform.Processes;

namespace HilRig.Core.Wifi;

/// <summary>
/// One hostapd (Debian's hostapd package), a child of the rig (<see cref="ChildProcesses"/>), in the foreground with
/// the config of <see cref="HostapdConfig"/>. It counts as started once it has printed AP-ENABLED (the access point
/// beacons; with a country this is after the regulatory update) and its control socket answers PING.
/// Every line it prints goes to hostapd.log in the work directory and to the caller.
/// </summary>
public sealed partial class HostapdProcess : IAsyncDisposable
{
    /// <summary>
    /// How long hostapd may take to enable the access point. brcmfmac on a Pi takes about a second; a country code
    /// waits for the kernel's regulatory update, which can take a few more.
    /// </summary>
    public static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(20);

    /// <summary>hostapd deauthenticates every station and takes the interface out of AP mode on SIGTERM; after this it is killed.</summary>
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(5);

    // signal(7): SIGTERM is 15 on every Linux architecture.
    private const int SigTerm = 15;
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _enabled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string> _onLine;
    private int _stopped;

    private HostapdProcess(string interfaceName, string workDirectory, Process process, StreamWriter log, Action<string> onLine)
    {
        Interface = interfaceName;
        WorkDirectory = workDirectory;
        _process = process;
        _log = log;
        _onLine = onLine;
        Control = new HostapdControl(HostapdConfig.ControlDirectory(workDirectory), interfaceName);
    }

    /// <summary>The access point's interface.</summary>
    public string Interface { get; }

    /// <summary>Where its config, control socket, deny list and log are.</summary>
    public string WorkDirectory { get; }

    /// <summary>Its control socket, through hostapd_cli.</summary>
    public HostapdControl Control { get; }

    /// <summary>The config file it reads.</summary>
    public string ConfigFile => Path.Combine(WorkDirectory, "hostapd.conf");

    /// <summary>Every line it printed.</summary>
    public string LogFile => Path.Combine(WorkDirectory, "hostapd.log");

    /// <summary>Its process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True until it is stopped or exits by itself.</summary>
    public bool Running
    {
        get
        {
            try
            {
                return Volatile.Read(ref _stopped) == 0 && !_process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>Its last lines (up to 40), oldest first.</summary>
    public IReadOnlyList<string> RecentLines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <summary>
    /// Writes the config (and an empty deny list) into <paramref name="options"/>' work directory and starts hostapd
    /// with <paramref name="driver"/>; returns once the access point is enabled and the control socket answers.
    /// Throws <see cref="InvalidOperationException"/> with one line: "hostapd on wlan0 failed: " and hostapd's own words
    /// ("nl80211: Could not configure driver mode"), with nothing left running.
    /// <paramref name="onLine"/> gets every line hostapd prints.
    /// </summary>
    public static async Task<HostapdProcess> StartAsync(AirOptions options, string driver, Action<string> onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onLine);
        var text = HostapdConfig.Text(options, driver);
        var interfaceName = options.Interface!;
        var binary = HostapdControl.FindHostapd() ?? throw new InvalidOperationException("hostapd is not installed (./setup.sh pi installs it)");
        Directory.CreateDirectory(options.WorkDirectory);
        var config = Path.Combine(options.WorkDirectory, "hostapd.conf");
        await File.WriteAllTextAsync(config, text, cancellationToken).ConfigureAwait(false);
        // The deny list holds only what a refusal fault of this run adds.
        await File.WriteAllTextAsync(HostapdConfig.DenyFile(options.WorkDirectory), "", cancellationToken).ConfigureAwait(false);
        var log = new StreamWriter(Path.Combine(options.WorkDirectory, "hostapd.log"), append: false) { AutoFlush = true };

        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(config);
        var process = new Process { StartInfo = info };
        var hostapd = new HostapdProcess(interfaceName, options.WorkDirectory, process, log, onLine);
        process.OutputDataReceived += (_, e) => hostapd.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => hostapd.OnLine(e.Data);
        try
        {
            ChildProcesses.Start(process);
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            await log.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"hostapd on {interfaceName} could not be started: {ex.Message}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await hostapd.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await hostapd.StopAsync().ConfigureAwait(false);
            throw;
        }
        return hostapd;
    }

    /// <summary>Stops hostapd (SIGTERM, then SIGKILL after <see cref="StopDeadline"/>); safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
            if (!_process.HasExited)
            {
                Kill(_process.Id, SigTerm);
                try
                {
                    await _process.WaitForExitAsync().WaitAsync(StopDeadline).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(StopDeadline).ConfigureAwait(false);
                }
            }
            else
            {
                // Let the output handlers see its last lines before the log is closed.
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Win32Exception)
        {
        }
        _process.Dispose();
        lock (_lines) _log.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// What hostapd said about why it ended: its lines before it started tearing down (the teardown lines,
    /// "interface state ...->DISABLED", "AP-DISABLED", "CTRL-EVENT-TERMINATING", say nothing about the cause), at most
    /// three, joined by "; ", with the work directory's path taken out.
    /// </summary>
    public static string Reason(IReadOnlyList<string> lines, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var cause = lines.TakeWhile(l => !IsTeardown(l)).Where(l => !IsProgress(l)).TakeLast(3).ToList();
        if (cause.Count == 0) return "it said nothing about why (see hostapd.log in the bench's work directory)";
        var prefix = workDirectory.TrimEnd('/') + "/";
        return string.Join("; ", cause.Select(l => l.Replace(prefix, "", StringComparison.Ordinal)));
    }

    private static bool IsTeardown(string line) =>
        line.Contains("->DISABLED", StringComparison.Ordinal) || line.Contains("AP-DISABLED", StringComparison.Ordinal)
        || line.Contains("CTRL-EVENT-TERMINATING", StringComparison.Ordinal);

    private static bool IsProgress(string line) =>
        line.StartsWith("Configuration file:", StringComparison.Ordinal) || line.Contains("interface state", StringComparison.Ordinal)
        || line.StartsWith("Using interface", StringComparison.Ordinal);

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = await Task.WhenAny(_enabled.Task, exited, Task.Delay(ReadyDeadline, deadline.Token)).ConfigureAwait(false);
        await deadline.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == exited || _process.HasExited)
        {
            // WaitForExitAsync returns after the output handlers saw the last line.
            await exited.ConfigureAwait(false);
            throw new InvalidOperationException($"hostapd on {Interface} failed: {Reason(RecentLines, WorkDirectory)}");
        }
        if (first != _enabled.Task)
        {
            var last = RecentLines.Where(l => !IsTeardown(l)).LastOrDefault() ?? "no line";
            throw new InvalidOperationException(
                $"hostapd on {Interface} did not enable the access point within {ReadyDeadline.TotalSeconds:0} s (its last line: {last})");
        }
        if (!await Control.PingAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"hostapd on {Interface} enabled the access point but its control socket ({Path.GetFileName(Control.ControlDirectory)}/{Interface}) does not answer PING");
        }
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        line = line.Trim();
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines) _lines.Dequeue();
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
        // "wlan0: AP-ENABLED": hostapd_setup_interface_complete; the control socket was opened before it.
        if (line.EndsWith("AP-ENABLED", StringComparison.Ordinal)) _enabled.TrySetResult();
        _onLine(line);
    }

    // HilRig.Platform's Libc is internal to it, and Process.Kill only sends SIGKILL: hostapd cleans up (deauthenticates
    // the stations, stops the access point, removes its control socket) only on SIGTERM.
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
