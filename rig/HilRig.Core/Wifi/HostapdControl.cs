using System.ComponentModel;
using System.Diagnostics;
using HilRig.Platform.Processes;

namespace HilRig.Core.Wifi;

/// <summary>
/// Talks to one running hostapd through its control socket with hostapd_cli (Debian's hostapd package), the tool a
/// person uses on the bench by hand: every request is one <c>hostapd_cli -p DIR -i IF WORDS</c>, and the reply is
/// what it prints. hostapd_cli exits 0 for a refused request too, so the reply text decides (FAIL, "Unknown command").
/// </summary>
public sealed class HostapdControl
{
    /// <summary>
    /// hostapd_cli waits up to 10 s for a reply itself (wpa_ctrl_request); a call that still has not ended after this
    /// is killed.
    /// </summary>
    public static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(15);

    /// <summary>Talks to the hostapd of <paramref name="interfaceName"/> whose control sockets are in <paramref name="controlDirectory"/>.</summary>
    public HostapdControl(string controlDirectory, string interfaceName)
    {
        ControlDirectory = controlDirectory;
        Interface = interfaceName;
    }

    /// <summary>The folder of the control sockets (hostapd's ctrl_interface).</summary>
    public string ControlDirectory { get; }

    /// <summary>The access point's interface (the socket's name in <see cref="ControlDirectory"/>).</summary>
    public string Interface { get; }

    /// <summary>hostapd_cli: /usr/sbin/hostapd_cli (Debian), else the first on PATH, else null.</summary>
    public static string? FindBinary() => FindProgram("hostapd_cli", "/usr/sbin/hostapd_cli", "/sbin/hostapd_cli", "/usr/bin/hostapd_cli");

    /// <summary>hostapd: /usr/sbin/hostapd (Debian), else the first on PATH, else null.</summary>
    public static string? FindHostapd() => FindProgram("hostapd", "/usr/sbin/hostapd", "/sbin/hostapd", "/usr/bin/hostapd");

    /// <summary>
    /// Sends <paramref name="words"/> (a hostapd_cli command and its arguments) and returns the reply, trimmed.
    /// Throws <see cref="InvalidOperationException"/> with one line naming the request when hostapd cannot be reached
    /// or refuses it.
    /// </summary>
    public async Task<string> RequestAsync(CancellationToken cancellationToken, params string[] words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var request = string.Join(' ', words);
        var (exitCode, stdout, stderr) = await RunAsync(words, cancellationToken).ConfigureAwait(false);
        var said = string.Join(' ', new[] { stdout, stderr }.Where(s => s.Length > 0));
        if (exitCode != 0)
        {
            // "Failed to connect to hostapd - wpa_ctrl_open: No such file or directory": hostapd is not running.
            throw new InvalidOperationException($"hostapd_cli -i {Interface} {request}: {FirstLine(said, exitCode)}");
        }
        if (stdout is "FAIL" or "" || stdout.StartsWith("FAIL", StringComparison.Ordinal) || stdout.StartsWith("Unknown command", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"hostapd on {Interface} refused '{request}': {FirstLine(said, exitCode)}");
        }
        return stdout;
    }

    /// <summary>True when hostapd answers PING with PONG (its control socket is open: it has read its config and set up the interface).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        var (exitCode, stdout, _) = await RunAsync(["ping"], cancellationToken).ConfigureAwait(false);
        return exitCode == 0 && stdout == "PONG";
    }

    /// <summary>hostapd's STATUS as name=value pairs (state=ENABLED or DISABLED, ssid[0], num_sta[0], ...).</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatusAsync(CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(cancellationToken, "status").ConfigureAwait(false);
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) status[line[..equals]] = line[(equals + 1)..];
        }
        return status;
    }

    /// <summary>The MAC addresses on hostapd's deny list right now (lower case), from <c>deny_acl SHOW</c>.</summary>
    public async Task<IReadOnlyList<string>> DeniedAsync(CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await RunAsync(["deny_acl", "SHOW"], cancellationToken).ConfigureAwait(false);
        if (exitCode != 0) throw new InvalidOperationException($"hostapd_cli -i {Interface} deny_acl SHOW: {FirstLine(stderr + stdout, exitCode)}");
        // One "02:00:00:00:00:01 VLAN_ID=0" a line; an empty list prints nothing.
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0].ToLowerInvariant())];
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("hostapd_cli is not installed (./setup.sh pi installs hostapd)");
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in (string[])["-p", ControlDirectory, "-i", Interface, .. words]) info.ArgumentList.Add(word);
        Process process;
        try
        {
            process = ChildProcesses.Start(info);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"hostapd_cli could not be started: {ex.Message}", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(RequestLimit);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested) throw;
                throw new TimeoutException($"hostapd_cli -i {Interface} {string.Join(' ', words)} had no answer within {RequestLimit.TotalSeconds:0} s");
            }
            return (process.ExitCode, (await stdout.ConfigureAwait(false)).Trim(), (await stderr.ConfigureAwait(false)).Trim());
        }
    }

    private static string FirstLine(string text, int exitCode) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {exitCode}, no reply";

    private static string? FindProgram(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate)) return candidate;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
