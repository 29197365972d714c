using System.Globalization;
using System.Net;
using HilRig.Protocol.Cloud;

namespace HilRig.Core.Wifi;

/// <summary>
/// The network double: the bench network without WiFi. A network namespace <c>hilrig-PID-N</c> (PID: the rig's)
/// stands for the module's side of the air; a veth pair stands for the radio link, its rig end (<c>hraPIDaN</c>)
/// in the root namespace with the rig's address, its station end (<c>hrsPIDaN</c>) in the namespace, with no
/// address until a DHCP client there gets one from dnsmasq. The namespace has no default route and its only
/// link leads to the rig, so nothing in it reaches anywhere else. Taking the rig end down drops the station's
/// carrier: that is a WiFi drop. The air file tells the emulated module's radio which access point it hears.
/// Needs root (<see cref="Unavailable"/> says why it cannot run).
/// </summary>
public sealed class NamespaceAir : IBenchAir
{
    /// <summary>The prefix of every namespace the rig makes; the rest is "PID-N".</summary>
    public const string NamespacePrefix = "hilrig-";

    private static readonly Lazy<string?> WhyUnavailable = new(NamespaceHousekeeping.FindWhyUnavailable);
    private static int _counter;

    private readonly AirOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dnsmasq? _dnsmasq;
    private volatile bool _accessPointUp = true;
    private volatile bool _refusing;
    private int _disposed;

    private NamespaceAir(AirOptions options, string name, string rigInterface, string stationInterface, AirSubnet subnet)
    {
        _options = options;
        Namespace = name;
        RigInterface = rigInterface;
        StationInterface = stationInterface;
        Subnet = subnet;
        StationCommandPrefix = ["ip", "netns", "exec", name];
    }

    /// <summary>The namespace the module's side of the air lives in.</summary>
    public string Namespace { get; }

    /// <summary>The veth end in the root namespace that holds <see cref="RigAddress"/> (its link state is the access point's).</summary>
    public string RigInterface { get; }

    /// <summary>The bench network.</summary>
    public AirSubnet Subnet { get; }

    /// <inheritdoc />
    public string Description => $"network double {Namespace}: veth {RigInterface} {Subnet.RigAddress}/{Subnet.PrefixLength}";

    /// <inheritdoc />
    public IPAddress RigAddress => Subnet.RigAddress;

    /// <inheritdoc />
    public int PrefixLength => Subnet.PrefixLength;

    /// <inheritdoc />
    public IReadOnlyList<string> StationCommandPrefix { get; }

    /// <inheritdoc />
    public string StationInterface { get; }

    /// <inheritdoc />
    public bool DnsmasqRunning => _dnsmasq?.Running ?? false;

    /// <inheritdoc />
    public string DnsmasqLog => new DnsmasqFiles(_options.WorkDirectory).Log;

    /// <summary>True while the access point is on the air (not taken down by <see cref="AccessPointDownAsync"/>).</summary>
    public bool AccessPointUp => _accessPointUp;

    /// <summary>True while the access point refuses the module's association.</summary>
    public bool Refusing => _refusing;

    /// <summary>
    /// Makes the namespace and the veth pair (both ends up, loopback up in the namespace), on
    /// <see cref="AirOptions.Subnet"/> or a free /24 under 10.231.0.0/16, then starts it (<see cref="StartAsync"/>:
    /// dnsmasq and the air file). Throws <see cref="InvalidOperationException"/> with one line naming the step that
    /// failed, having removed what it had made.
    /// </summary>
    public static async Task<NamespaceAir> CreateAsync(AirOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Unavailable() is { } why) throw new InvalidOperationException($"the network double cannot run here: {why}");
        // The names go into dnsmasq's config: a bad one is refused before anything is made.
        if (Dnsmasq.Problem(new DnsmasqOptions { Interface = "lo", Subnet = options.Subnet ?? AirSubnetPicker.Block, HostNames = options.HostNames, WorkDirectory = options.WorkDirectory }) is { } problem)
        {
            throw new ArgumentException($"bench {options.BenchName}: {problem}");
        }
        if (options.Subnet is { } wanted && AirSubnetPicker.MachineAddresses().FirstOrDefault(a => AirSubnetPicker.Overlaps(a.Subnet, wanted)) is { } clash)
        {
            throw new InvalidOperationException($"the bench network {wanted} overlaps {clash.Subnet} of {clash.Interface} on this machine; pick another subnet");
        }
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            var n = Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
            var name = $"{NamespacePrefix}{pid}-{n}";
            var rigSide = $"hra{pid}a{n}";
            if (rigSide.Length > 15) throw new InvalidOperationException($"interface name {rigSide} would be longer than 15 characters");
            if (File.Exists(Path.Combine("/run/netns", name)) || Directory.Exists(Path.Combine("/sys/class/net", rigSide))) continue;
            var subnet = options.Subnet ?? AirSubnetPicker.Pick(AirSubnetPicker.MachineAddresses());
            var air = new NamespaceAir(options, name, rigSide, $"hrs{pid}a{n}", subnet);
            try
            {
                await air.BuildAsync(cancellationToken).ConfigureAwait(false);
                await air.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SubnetTakenException) when (attempt < 5)
            {
                await air.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            catch
            {
                await air.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return air;
        }
    }

    /// <summary>
    /// Starts dnsmasq on the rig end (when it is not running: after <see cref="StopDnsmasqAsync"/> this starts it
    /// again) and writes the air file.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _dnsmasq = await Dnsmasq.EnsureRunningAsync(_dnsmasq, _options, RigInterface, Subnet, cancellationToken).ConfigureAwait(false);
            WriteAirFile();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<AirLease> Leases() => Dnsmasq.ReadLeases(new DnsmasqFiles(_options.WorkDirectory).Leases);

    /// <inheritdoc />
    public async Task StopDnsmasqAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_dnsmasq is { } dnsmasq)
            {
                var was = dnsmasq.Running;
                await dnsmasq.StopAsync().ConfigureAwait(false);
                _dnsmasq = null;
                if (was) _options.Log("air", $"dnsmasq pid {dnsmasq.Pid} stopped: no DHCP, no DNS on {Subnet}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task DropStationAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DeauthenticateAsync("wifi-deauth", reason).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task AccessPointDownAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The link first: the station loses its carrier as a real one loses the beacon; then the radio stops hearing it.
            await SetRigLinkAsync(up: false, CancellationToken.None).ConfigureAwait(false);
            _accessPointUp = false;
            WriteAirFile();
            _options.Log("wifi-ap-down", $"access point '{_options.Ssid}' off the air ({RigInterface} down): {reason}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task AccessPointUpAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _accessPointUp = true;
            WriteAirFile();
            await SetRigLinkAsync(up: true, CancellationToken.None).ConfigureAwait(false);
            _options.Log("wifi-ap-up", $"access point '{_options.Ssid}' back on the air ({RigInterface} up)");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task RefuseAssociationAsync(bool refuse, string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _refusing = refuse;
            WriteAirFile();
            if (refuse)
            {
                _options.Log("wifi-refuse", $"access point '{_options.Ssid}' refuses the module's association: {reason}");
                await DeauthenticateAsync("wifi-deauth", "refused from now on").ConfigureAwait(false);
            }
            else
            {
                _options.Log("wifi-admit", $"access point '{_options.Ssid}' admits the module again: {reason}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops dnsmasq and deletes the namespace (which deletes the veth pair); the air file is left empty. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_dnsmasq is { } dnsmasq) await dnsmasq.StopAsync().ConfigureAwait(false);
            var problems = new List<string>();
            if (File.Exists(Path.Combine("/run/netns", Namespace)))
            {
                var result = await AirCommand.RunAsync([AirCommand.Ip ?? "ip", "netns", "delete", Namespace], CancellationToken.None).ConfigureAwait(false);
                if (result.ExitCode != 0) problems.Add($"namespace {Namespace}: {result.FirstLine}");
            }
            // Deleting the namespace deletes the pair; a rig end whose peer never moved in is deleted by itself.
            if (File.Exists(Path.Combine("/sys/class/net", RigInterface)) || Directory.Exists(Path.Combine("/sys/class/net", RigInterface)))
            {
                var result = await AirCommand.RunAsync([AirCommand.Ip ?? "ip", "link", "delete", RigInterface], CancellationToken.None).ConfigureAwait(false);
                if (result.ExitCode != 0) problems.Add($"veth {RigInterface}: {result.FirstLine}");
            }
            if (_options.AirFile is { } airFile && File.Exists(airFile)) WriteAir(airFile, []);
            _options.Log("air", problems.Count == 0 ? $"{Namespace} deleted" : $"{Namespace} not fully deleted ({string.Join("; ", problems)}); the next rig sweeps it");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Why the double cannot run on this machine (not root, no ip, no dnsmasq, no udhcpc, network namespaces not
    /// permitted), or null when it can. Asked once per process: the namespace test makes and deletes one.
    /// </summary>
    public static string? Unavailable() => WhyUnavailable.Value;

    /// <summary>
    /// Deletes the namespaces (and rig-end veths) named for rig processes that are gone (<c>hilrig-PID-*</c> whose PID
    /// no longer runs), as the rig sweeps its children at start. Returns how many it deleted; nothing and 0 when
    /// there is nothing to sweep or this process may not (it reads /run/netns and /sys/class/net, and runs ip only
    /// for a leftover).
    /// </summary>
    public static int SweepLeftovers() => NamespaceHousekeeping.Sweep();

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var prefix = Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await AirCommand.IpAsync(cancellationToken, "netns", "add", Namespace).ConfigureAwait(false);
        await AirCommand.IpAsync(cancellationToken, "link", "add", RigInterface, "type", "veth", "peer", "name", StationInterface, "netns", Namespace).ConfigureAwait(false);
        await AirCommand.IpAsync(cancellationToken, "addr", "add", $"{RigAddress}/{prefix}", "dev", RigInterface).ConfigureAwait(false);
        // Another rig may have picked the same free /24 at the same moment: the later one moves away.
        if (_options.Subnet is null && AirSubnetPicker.MachineAddresses().Any(a => a.Interface != RigInterface && AirSubnetPicker.Overlaps(a.Subnet, Subnet)))
        {
            throw new SubnetTakenException($"{Subnet} was taken by another interface while the double was being made");
        }
        await AirCommand.IpAsync(cancellationToken, "link", "set", RigInterface, "up").ConfigureAwait(false);
        await AirCommand.IpAsync(cancellationToken, "netns", "exec", Namespace, "ip", "link", "set", "lo", "up").ConfigureAwait(false);
        await AirCommand.IpAsync(cancellationToken, "netns", "exec", Namespace, "ip", "link", "set", StationInterface, "up").ConfigureAwait(false);
        _options.Log("air", $"{Description}: station end {StationInterface} in {Namespace}, no route out");
    }

    private async Task DeauthenticateAsync(string kind, string reason)
    {
        if (!_accessPointUp)
        {
            _options.Log(kind, $"no station to deauthenticate: the access point is off the air ({reason})");
            return;
        }
        _options.Log(kind, $"station deauthenticated ({RigInterface} down for {AirFaultTimes.Deauthenticated.TotalMilliseconds:0} ms): {reason}");
        await SetRigLinkAsync(up: false, CancellationToken.None).ConfigureAwait(false);
        // The fault's own duration (AirFaultTimes.Deauthenticated), not a wait for an event.
        await Task.Delay(AirFaultTimes.Deauthenticated).ConfigureAwait(false);
        await SetRigLinkAsync(up: true, CancellationToken.None).ConfigureAwait(false);
    }

    private Task SetRigLinkAsync(bool up, CancellationToken cancellationToken) =>
        AirCommand.IpAsync(cancellationToken, "link", "set", RigInterface, up ? "up" : "down");

    private void WriteAirFile()
    {
        if (_options.AirFile is not { } airFile) return;
        WriteAir(airFile, _accessPointUp ? [new AccessPoint(_options.Ssid, _options.Passphrase, Refused: _refusing)] : []);
    }

    private static void WriteAir(string airFile, IReadOnlyList<AccessPoint> accessPoints)
    {
        // Written beside and renamed over: the module's radio reads it at any moment and never sees half a file.
        var directory = Path.GetDirectoryName(Path.GetFullPath(airFile))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(airFile) + ".new");
        File.WriteAllBytes(temporary, CloudJson.Encode(new Air(accessPoints)));
        File.Move(temporary, airFile, overwrite: true);
    }

    /// <summary>The free /24 picked was taken by another rig at the same moment: pick again.</summary>
    private sealed class SubnetTakenException(string message) : InvalidOperationException(message);
}
