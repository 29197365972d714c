using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using DnsClient;
using HilRig.Platform.Processes;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>
/// The emulated module's WiFi station on a real interface (the network double's veth end inside its namespace), doing
/// what an ESP's WiFi stack does once the access point accepted it: waits for the link (carrier), gets its address by
/// DHCP (busybox udhcpc with <see cref="UdhcpcScript"/>), looks names up at the DNS server of its lease (never the
/// machine's resolver), notices when the link goes away, and gives its address back when it leaves.
/// </summary>
public sealed partial class WifiStation : INameResolver
{
    /// <summary>
    /// How often the carrier is read: the tick of an ESP-IDF WiFi driver's state machine is 100 ms (the
    /// beacon interval of an access point, 102.4 ms, is what a station misses first when the link goes).
    /// </summary>
    public static readonly TimeSpan CarrierPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Wait for one DNS answer (lwIP's DNS_TMR_INTERVAL of 1 s, times its two tries).</summary>
    public static readonly TimeSpan DnsTimeout = TimeSpan.FromSeconds(2);

    private static readonly string[] UdhcpcPlaces = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly string _interface;
    private readonly string _directory;
    private readonly Action<string> _log;
    private StationLease? _lease;

    /// <summary>A station on <paramref name="interfaceName"/>, keeping its DHCP script and lease in <paramref name="directory"/> (the module's scratch flash).</summary>
    public WifiStation(string interfaceName, string directory, Action<string> log)
    {
        if (InterfaceProblem(interfaceName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(interfaceName));
        }
        _interface = interfaceName;
        _directory = directory;
        _log = log;
    }

    /// <summary>Null when <paramref name="name"/> can be a Linux interface name, else why not.</summary>
    public static string? InterfaceProblem(string name) =>
        InterfaceName().IsMatch(name) ? null : $"'{name}' is not an interface name (1 to 15 letters, digits, '.', '_' or '-')";

    /// <summary>The interface.</summary>
    public string Interface => _interface;

    /// <summary>The lease of the last <see cref="JoinAsync"/>; null before and after <see cref="LeaveAsync"/>.</summary>
    public StationLease? Lease => Volatile.Read(ref _lease);

    /// <summary>True while the interface reports a carrier (the radio link is up).</summary>
    public bool HasCarrier => ReadCarrier() == true;

    /// <summary>
    /// Waits for the carrier, then runs udhcpc until it has a lease (one run: 4 discovers 1 s apart, as the brief's
    /// proof and an ESP's first DHCP tries); throws <see cref="StationException"/> when udhcpc is missing or gets no
    /// lease. Cancel to stop waiting.
    /// </summary>
    public async Task<StationLease> JoinAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine("/sys/class/net", _interface)))
        {
            throw new StationException($"there is no interface {_interface} here (is this the module's network namespace?)");
        }
        var udhcpc = FindUdhcpc() ?? throw new StationException("udhcpc (busybox) is not installed: run ./setup.sh network");
        await RunAsync("ip", ["link", "set", "dev", _interface, "up"], cancellationToken).ConfigureAwait(false);
        await WaitForCarrierAsync(cancellationToken).ConfigureAwait(false);
        var script = UdhcpcScript.Write(_directory);
        var leaseFile = Path.Combine(_directory, UdhcpcScript.LeaseFileName);
        File.Delete(leaseFile);
        var (exit, output) = await RunAsync(udhcpc, ["-i", _interface, "-f", "-q", "-n", "-t", "4", "-T", "1", "-s", script], cancellationToken).ConfigureAwait(false);
        if (exit != 0 || !File.Exists(leaseFile))
        {
            var said = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            throw new StationException($"no DHCP lease on {_interface} (udhcpc exit {exit}{(said is null ? "" : $": {said}")})");
        }
        var lease = StationLease.TryParse(await File.ReadAllTextAsync(leaseFile, cancellationToken).ConfigureAwait(false), out var error)
            ?? throw new StationException($"the DHCP lease on {_interface} is unusable: {error}");
        Volatile.Write(ref _lease, lease);
        return lease;
    }

    /// <summary>Completes when the interface reports a carrier.</summary>
    public async Task WaitForCarrierAsync(CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(CarrierPollInterval);
        while (ReadCarrier() != true)
        {
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the carrier goes away (the access point is gone or dropped the station): read every <see cref="CarrierPollInterval"/>.</summary>
    public async Task WaitForLinkLossAsync(CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(CarrierPollInterval);
        while (ReadCarrier() == true)
        {
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gives the address back (flushes the interface's addresses); the station may join again. Every TCP connection from
    /// the station's leased address is aborted first (<c>ss -K ... src ADDRESS</c>), as lwIP aborts the connections of
    /// a netif whose address goes: the MQTT clients and a download see the loss at once and retry, not after a keepalive.
    /// A station that holds no lease has no connections and aborts none: with no address to filter on, <c>ss -K</c>
    /// would reset every TCP connection of the namespace it runs in, the whole machine's when that is not the module's.
    /// </summary>
    public async Task LeaveAsync()
    {
        var lease = Interlocked.Exchange(ref _lease, null);
        if (lease is not null)
        {
            var (killed, killOutput) = await RunAsync("ss", ["-K", "-t", "state", "established", "src", lease.Address.ToString()], CancellationToken.None).ConfigureAwait(false);
            if (killed != 0)
            {
                _log($"WiFi station: could not abort the connections from {lease.Address} on {_interface}: {killOutput.Trim()}");
            }
        }
        if (Directory.Exists(_directory))
        {
            File.Delete(Path.Combine(_directory, UdhcpcScript.LeaseFileName));
        }
        if (!Directory.Exists(Path.Combine("/sys/class/net", _interface)))
        {
            return;
        }
        var (exit, output) = await RunAsync("ip", ["addr", "flush", "dev", _interface], CancellationToken.None).ConfigureAwait(false);
        if (exit != 0)
        {
            _log($"WiFi station: could not flush the address of {_interface}: {output.Trim()}");
        }
    }

    /// <inheritdoc />
    public async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }
        var dns = Lease?.DnsServer ?? throw new StationException($"name {host} cannot be looked up: the station on {_interface} has no DHCP lease");
        var client = new LookupClient(new LookupClientOptions(new IPEndPoint(dns, 53))
        {
            UseCache = false,
            Timeout = DnsTimeout,
            Retries = 1,
            ThrowDnsErrors = false,
            UseTcpFallback = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(host, QueryType.A, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            throw new StationException($"name {host} does not resolve at DNS server {dns}: {ex.Message}");
        }
        var address = response.Answers.ARecords().Select(a => a.Address).FirstOrDefault();
        if (address is null)
        {
            var why = response.HasError ? response.Header.ResponseCode.ToString() : "no A record";
            throw new StationException($"name {host} does not resolve at DNS server {dns} ({why})");
        }
        return address;
    }

    private bool? ReadCarrier()
    {
        try
        {
            // Reading carrier of an interface that is administratively down fails with EINVAL: no link either.
            return File.ReadAllText(Path.Combine("/sys/class/net", _interface, "carrier")).Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FindUdhcpc() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(UdhcpcPlaces)
            .Select(d => Path.Combine(d, "udhcpc")).FirstOrDefault(File.Exists);

    private static async Task<(int Exit, string Output)> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = ChildProcesses.Start(info);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new StationException($"cannot run {file}: {ex.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,15}$")]
    private static partial Regex InterfaceName();
}
