namespace HilRig.Core.Wifi;

/// <summary>
/// Talks to one running hostapd through its control socket with hostapd_cli (Debian's hostapd package), the tool a
/// person uses on the bench by hand: every request is one <c>hostapd_cli -p DIR -i IF WORDS</c> (through
/// <see cref="AirCommand"/>, a child of the rig; hostapd_cli gives up on a reply after 10 s itself), and the reply is
/// what it prints. hostapd_cli exits 0 for a refused request too, so the reply text decides (FAIL, "Unknown command").
/// </summary>
public sealed class HostapdControl
{
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
    public static string? FindBinary() => AirCommand.Find("hostapd_cli", "/usr/sbin/hostapd_cli", "/sbin/hostapd_cli", "/usr/bin/hostapd_cli");

    /// <summary>hostapd: /usr/sbin/hostapd (Debian), else the first on PATH, else null.</summary>
    public static string? FindHostapd() => AirCommand.Find("hostapd", "/usr/sbin/hostapd", "/sbin/hostapd", "/usr/bin/hostapd");

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
        try
        {
            var result = await AirCommand.RunAsync([binary, "-p", ControlDirectory, "-i", Interface, .. words], cancellationToken).ConfigureAwait(false);
            return (result.ExitCode, result.Stdout, result.Stderr);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // AirCommand's message shows the whole command, the control directory's path with it: say it without.
            var what = ex is TimeoutException ? "no answer within 20 s" : $"could not be started: {ex.InnerException?.Message ?? ex.Message}";
            throw new InvalidOperationException($"hostapd_cli -i {Interface} {string.Join(' ', words)}: {what}", ex);
        }
    }

    private static string FirstLine(string text, int exitCode) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {exitCode}, no reply";
}
