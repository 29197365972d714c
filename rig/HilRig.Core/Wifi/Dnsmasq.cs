using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using HilRig.Platform.Processes;

namespace HilRig.Core.Wifi;

/// <summary>What one dnsmasq of a bench network serves.</summary>
public sealed record DnsmasqOptions
{
    /// <summary>The interface it serves (the double's rig-side veth, a Pi's wlan0); it must hold <see cref="AirSubnet.RigAddress"/>.</summary>
    public required string Interface { get; init; }

    /// <summary>The bench network: dnsmasq listens on its rig address and leases its upper half.</summary>
    public required AirSubnet Subnet { get; init; }

    /// <summary>The names it answers, each with the rig address; nothing else resolves and nothing is forwarded.</summary>
    public required IReadOnlyList<string> HostNames { get; init; }

    /// <summary>Where its config, lease file, pid file and log go (made when missing).</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>How long a lease lasts (dnsmasq's minimum is 2 minutes).</summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The dnsmasq program; null finds it (/usr/sbin/dnsmasq, then PATH).</summary>
    public string? Binary { get; init; }
}

/// <summary>
/// DHCP and DNS of a bench network: one dnsmasq (Debian's dnsmasq-base), a child of the rig
/// (<see cref="ChildProcesses"/>), in the foreground, bound to one interface and one address. Every configured name
/// resolves to the rig's address; there is no upstream server, so no other name resolves and nothing is forwarded;
/// the leases carry no router, so nothing on the bench network routes anywhere. Used by the network double and a
/// Pi's access point alike: it knows nothing of namespaces.
/// </summary>
public sealed partial class Dnsmasq : IAsyncDisposable
{
    /// <summary>How long dnsmasq may take to bind its sockets and write its pid file.</summary>
    public static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _stderr;
    private int _stopped;

    private Dnsmasq(DnsmasqOptions options, Process process, StringBuilder stderr, DnsmasqFiles files)
    {
        Options = options;
        _process = process;
        _stderr = stderr;
        Files = files;
        Pid = process.Id;
    }

    /// <summary>What it serves.</summary>
    public DnsmasqOptions Options { get; }

    /// <summary>Its files (config, leases, pid, log).</summary>
    public DnsmasqFiles Files { get; }

    /// <summary>Its process id.</summary>
    public int Pid { get; }

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

    /// <summary>The dnsmasq program: /usr/sbin/dnsmasq (Debian), else the first on PATH, else null.</summary>
    public static string? FindBinary() => AirCommand.Find("dnsmasq", "/usr/sbin/dnsmasq", "/sbin/dnsmasq", "/usr/bin/dnsmasq");

    /// <summary>
    /// The dnsmasq of an air on <paramref name="rigInterface"/>: <paramref name="current"/> while it runs, else a new one
    /// (one that exited by itself is disposed first), started with the air's names and work directory and logged as an
    /// "air" line. Every kind of air (the double, a Pi's access point, a link) starts its dnsmasq here.
    /// </summary>
    public static async Task<Dnsmasq> EnsureRunningAsync(Dnsmasq? current, AirOptions air, string rigInterface, AirSubnet subnet,
        CancellationToken cancellationToken)
    {
        if (current is { Running: true }) return current;
        if (current is not null) await current.StopAsync().ConfigureAwait(false);
        var started = await StartAsync(new DnsmasqOptions
        {
            Interface = rigInterface, Subnet = subnet, HostNames = air.HostNames, WorkDirectory = air.WorkDirectory,
        }, cancellationToken).ConfigureAwait(false);
        air.Log("air", $"dnsmasq pid {started.Pid} serves {subnet} on {rigInterface}: DHCP {subnet.DhcpFirst}-{subnet.DhcpLast}, "
            + $"{string.Join(", ", air.HostNames)} -> {subnet.RigAddress}");
        return started;
    }

    /// <summary>
    /// Writes the config and starts dnsmasq; returns once it has bound its sockets (it writes its pid file after
    /// that). Throws <see cref="InvalidOperationException"/> with one line, dnsmasq's own message when it gave one
    /// ("failed to create listening socket for 10.231.7.1: Address already in use"), and
    /// <see cref="ArgumentException"/> for options it cannot write into a config.
    /// </summary>
    public static async Task<Dnsmasq> StartAsync(DnsmasqOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Problem(options) is { } problem) throw new ArgumentException(problem);
        var binary = options.Binary ?? FindBinary()
            ?? throw new InvalidOperationException("dnsmasq is not installed (install it with ./setup.sh network)");
        if (OperatingSystem.IsLinux() && !Directory.Exists(Path.Combine("/sys/class/net", options.Interface)))
        {
            throw new InvalidOperationException($"dnsmasq on {options.Interface} ({options.Subnet.RigAddress}) cannot start: there is no interface {options.Interface} on this machine");
        }
        Directory.CreateDirectory(options.WorkDirectory);
        var files = new DnsmasqFiles(options.WorkDirectory);
        File.Delete(files.Pid);
        await File.WriteAllTextAsync(files.Config, ConfigFile(options, files), cancellationToken).ConfigureAwait(false);

        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var word in (string[])["--conf-file=" + files.Config, "--keep-in-foreground"]) info.ArgumentList.Add(word);
        var stderr = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.OutputDataReceived += (_, e) => Append(stderr, e.Data);
        try
        {
            ChildProcesses.Start(process);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"dnsmasq could not be started: {ex.Message}", ex);
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var dnsmasq = new Dnsmasq(options, process, stderr, files);
        try
        {
            await dnsmasq.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dnsmasq.StopAsync().ConfigureAwait(false);
            throw;
        }
        return dnsmasq;
    }

    /// <summary>Why <paramref name="options"/> cannot go into a config (a name or interface dnsmasq would misread), or null.</summary>
    public static string? Problem(DnsmasqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!InterfaceName().IsMatch(options.Interface))
        {
            return $"'{options.Interface}' is not a network interface name (1 to 15 letters, digits, '-', '_', '.')";
        }
        foreach (var name in options.HostNames)
        {
            if (name.Length > 253 || !HostName().IsMatch(name))
            {
                return $"'{name}' is not a host name (labels of letters, digits and '-' joined by dots, like ota.hilrig.test)";
            }
        }
        if (options.LeaseTime < TimeSpan.FromMinutes(2))
        {
            return $"a lease time of {options.LeaseTime.TotalSeconds:0} s is below dnsmasq's minimum of 2 minutes";
        }
        return null;
    }

    /// <summary>The config file (dnsmasq(8)); every line is there for the reason in its comment.</summary>
    public static string ConfigFile(DnsmasqOptions options, DnsmasqFiles files)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(files);
        var subnet = options.Subnet;
        var rig = subnet.RigAddress.ToString();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            # Written by the rig for the bench network {subnet} on {options.Interface}.
            # Only this interface and this address: never the machine's other networks, never loopback.
            interface={options.Interface}
            bind-interfaces
            listen-address={rig}
            except-interface=lo
            # No upstream server, no /etc/hosts, no /etc/resolv.conf, and every domain local: only the names below
            # resolve, any other is NXDOMAIN, nothing is forwarded.
            no-resolv
            no-hosts
            no-poll
            local=/#/
            port=53
            dhcp-range={subnet.DhcpFirst},{subnet.DhcpLast},{subnet.Netmask},{(long)options.LeaseTime.TotalSeconds}
            # The rig's network, so a client with a lease from an earlier run is answered at once.
            dhcp-authoritative
            # No router: nothing on the bench network routes anywhere. DNS is the rig.
            dhcp-option=3
            dhcp-option=6,{rig}
            # One record per server name: its A is the rig, its AAAA empty (NODATA, so a dual-stack resolver takes the A),
            # and no name under it resolves (address=/NAME/ would answer every subdomain and refuse AAAA).

            """);
        foreach (var name in options.HostNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            text.Append(CultureInfo.InvariantCulture, $"host-record={name},{rig}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"""
            dhcp-leasefile={files.Leases}
            pid-file={files.Pid}
            log-facility={files.Log}
            log-dhcp
            log-queries

            """);
        return text.ToString();
    }

    /// <summary>The leases in the lease file, newest first (an empty list before the first one).</summary>
    public IReadOnlyList<AirLease> Leases() => ReadLeases(Files.Leases);

    /// <summary>The leases in dnsmasq lease file <paramref name="path"/>, newest first; none when it is missing.</summary>
    public static IReadOnlyList<AirLease> ReadLeases(string path)
    {
        try
        {
            return ParseLeases(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Parses a dnsmasq lease file: one lease a line, "EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID" (expiry in seconds
    /// since the epoch, "*" for no host name). DHCPv6 lines and lines cut short (dnsmasq rewrites the file in place)
    /// are left out. Newest first: the lease that ends last.
    /// </summary>
    public static IReadOnlyList<AirLease> ParseLeases(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var leases = new List<AirLease>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4
                || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
                || !MacAddress().IsMatch(fields[1])
                || !IPAddress.TryParse(fields[2], out var address)
                || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                continue;
            }
            leases.Add(new AirLease(fields[1].ToLowerInvariant(), address, fields[3] == "*" ? null : fields[3], DateTimeOffset.FromUnixTimeSeconds(expiry)));
        }
        return [.. leases.OrderByDescending(l => l.Expires)];
    }

    /// <summary>Stops dnsmasq (SIGKILL: it keeps nothing that a clean exit would save); safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
        _process.Dispose();
        try
        {
            File.Delete(Files.Pid);
        }
        catch (IOException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + ReadyDeadline;
        var pid = _process.Id.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            if (_process.HasExited)
            {
                // Wait for the end of its output: the reason is its last words on stderr.
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"dnsmasq on {Options.Interface} ({Options.Subnet.RigAddress}) did not start: {Reason()}");
            }
            // dnsmasq writes its pid file after it has bound every socket (DNS and DHCP): then it serves.
            if (ReadPidFile() == pid) return;
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException($"dnsmasq on {Options.Interface} ({Options.Subnet.RigAddress}) did not write its pid file within {ReadyDeadline.TotalSeconds:0} s");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private string? ReadPidFile()
    {
        try
        {
            return File.ReadAllText(Files.Pid).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or IOException)
        {
            return null;
        }
    }

    private string Reason()
    {
        string said;
        lock (_stderr) said = _stderr.ToString();
        var line = said.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null) return $"it exited with code {_process.ExitCode} and said nothing (see {Path.GetFileName(Files.Log)} in the bench's work directory)";
        if (line.StartsWith("dnsmasq: ", StringComparison.Ordinal)) line = line["dnsmasq: ".Length..];
        // Its messages name the config by path; the work directory is the bench's business, not the reader's.
        return line.Replace(Options.WorkDirectory.TrimEnd('/') + "/", "", StringComparison.Ordinal);
    }

    private static void Append(StringBuilder said, string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (said) said.Append(line).Append('\n');
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceName();

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacAddress();
}

/// <summary>The files of one dnsmasq, all in its work directory.</summary>
/// <param name="Directory">The work directory.</param>
public sealed record DnsmasqFiles(string Directory)
{
    /// <summary>Its config.</summary>
    public string Config => Path.Combine(Directory, "dnsmasq.conf");

    /// <summary>Its lease file (one lease a line).</summary>
    public string Leases => Path.Combine(Directory, "dnsmasq.leases");

    /// <summary>Its pid file (written once every socket is bound).</summary>
    public string Pid => Path.Combine(Directory, "dnsmasq.pid");

    /// <summary>Its log: every lease and query.</summary>
    public string Log => Path.Combine(Directory, "dnsmasq.log");
}
