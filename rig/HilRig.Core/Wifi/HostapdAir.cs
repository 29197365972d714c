using System.Globalization;
using System.Net;

namespace HilRig.Core.Wifi;

/// <summary>
/// A Pi's access point: the bench's WiFi is real. hostapd runs the access point on <see cref="AirOptions.Interface"/>
/// (wlan0, or a USB adapter in AP mode), the rig's address sits on that interface, and <see cref="Dnsmasq"/> serves
/// DHCP and DNS on it; the real ESP module joins it. The WiFi faults go through hostapd's control socket
/// (<see cref="HostapdControl"/>): deauthenticate, disable/enable, the deny list. Needs root
/// (<see cref="Unavailable"/> says why it cannot run).
/// </summary>
public sealed class HostapdAir : IBenchAir
{
    private readonly AirOptions _options;
    private readonly string _driver;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HostapdProcess? _hostapd;
    private Dnsmasq? _dnsmasq;
    private bool _addressSet;
    private bool _accessPointUp = true;
    private string? _refusedMac;
    private int _disposed;

    /// <summary>
    /// An access point from <paramref name="options"/> (checked with <see cref="HostapdConfig.Problems"/>: throws
    /// <see cref="ArgumentException"/> naming the first bad field). <paramref name="driver"/> is hostapd's
    /// <see cref="HostapdConfig.RadioDriver"/> on a bench; <see cref="HostapdConfig.WiredDriver"/> runs it on an
    /// interface without a radio (the tests' veth: the control path without WiFi). Without a subnet in the options, a
    /// free /24 under 10.231.0.0/16 is picked, as the double does: the module finds the servers by name.
    /// </summary>
    public HostapdAir(AirOptions options, string driver = HostapdConfig.RadioDriver)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (HostapdConfig.Problems(options) is [var first, ..])
        {
            throw new ArgumentException($"access point option {first.Field}: {first.Message}", nameof(options));
        }
        _options = options;
        _driver = driver;
        Interface = options.Interface!;
        Subnet = options.Subnet ?? AirSubnetPicker.Pick(AirSubnetPicker.MachineAddresses());
    }

    /// <summary>The access point's interface.</summary>
    public string Interface { get; }

    /// <summary>The bench network.</summary>
    public AirSubnet Subnet { get; }

    /// <inheritdoc />
    public string Description => $"access point '{_options.Ssid}' on {Interface} (hostapd, {_driver}) {RigAddress}/{PrefixLength}";

    /// <inheritdoc />
    public IPAddress RigAddress => Subnet.RigAddress;

    /// <inheritdoc />
    public int PrefixLength => Subnet.PrefixLength;

    /// <summary>Empty: the module is a real device.</summary>
    public IReadOnlyList<string> StationCommandPrefix => [];

    /// <summary>Null: the module joins over the air.</summary>
    public string? StationInterface => null;

    /// <inheritdoc />
    public bool DnsmasqRunning => _dnsmasq?.Running ?? false;

    /// <inheritdoc />
    public string DnsmasqLog => new DnsmasqFiles(_options.WorkDirectory).Log;

    /// <summary>Where hostapd's lines go (associations, deauthentications, handshakes): attach it to a bug with <see cref="DnsmasqLog"/>.</summary>
    public string HostapdLog => Path.Combine(_options.WorkDirectory, "hostapd.log");

    /// <summary>True while hostapd runs.</summary>
    public bool HostapdRunning => _hostapd?.Running ?? false;

    /// <summary>hostapd's control socket (null before <see cref="StartAsync"/>): the network check asks it for STATUS.</summary>
    public HostapdControl? Control => _hostapd?.Control;

    /// <summary>True while the access point is on the air (not taken down by <see cref="AccessPointDownAsync"/>).</summary>
    public bool AccessPointUp => _accessPointUp;

    /// <summary>True while the access point refuses the module's association.</summary>
    public bool Refusing => _refusedMac is not null;

    /// <summary>
    /// Why an access point on <paramref name="interfaceName"/> cannot run here (hostapd or dnsmasq not installed, no
    /// such interface, not root, not a WiFi interface, WiFi blocked by rfkill), or null when it can.
    /// </summary>
    public static string? Unavailable(string interfaceName)
    {
        if (HostapdControl.FindHostapd() is null || HostapdControl.FindBinary() is null) return "hostapd is not installed (./setup.sh pi installs it)";
        if (Dnsmasq.FindBinary() is null) return "dnsmasq is not installed (./setup.sh pi installs dnsmasq-base)";
        if (HostapdConfig.InterfaceProblem(interfaceName) is { } bad) return bad;
        if (!Directory.Exists(Path.Combine("/sys/class/net", interfaceName))) return $"there is no network interface '{interfaceName}' on this machine (`ip link` lists them)";
        if (!Environment.IsPrivilegedProcess) return "an access point needs root (hostapd, dnsmasq and the interface's address)";
        var phy = Path.Combine("/sys/class/net", interfaceName, "phy80211");
        if (!Directory.Exists(phy)) return $"'{interfaceName}' is not a WiFi interface (no phy80211): give the one whose adapter can be an access point";
        foreach (var rfkill in SafeDirectories(phy, "rfkill*"))
        {
            if (ReadTrimmed(Path.Combine(rfkill, "soft")) == "1" || ReadTrimmed(Path.Combine(rfkill, "hard")) == "1")
            {
                return $"WiFi on '{interfaceName}' is blocked by rfkill (`rfkill unblock wlan`; Raspberry Pi OS blocks it until a country is set)";
            }
        }
        return null;
    }

    /// <summary>
    /// Sets the rig's address on the interface, brings it up, starts hostapd (ready when the access point is enabled
    /// and its control socket answers PING), then dnsmasq on the interface; what is already running is left as it is
    /// (after <see cref="StopDnsmasqAsync"/> this starts dnsmasq again). Throws <see cref="InvalidOperationException"/>
    /// with one line naming what failed, having stopped and removed what this call had started.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var startedHostapd = false;
            try
            {
                if (_hostapd is not { Running: true })
                {
                    if (_hostapd is { } old) await old.StopAsync().ConfigureAwait(false);
                    if (!Directory.Exists(Path.Combine("/sys/class/net", Interface)))
                    {
                        throw new InvalidOperationException($"access point: there is no network interface '{Interface}' on this machine (`ip link` lists them)");
                    }
                    await SetAddressAsync(cancellationToken).ConfigureAwait(false);
                    await AirCommand.IpAsync(cancellationToken, "link", "set", Interface, "up").ConfigureAwait(false);
                    _hostapd = await HostapdProcess.StartAsync(_options, _driver, line => _options.Log("hostapd", line), cancellationToken).ConfigureAwait(false);
                    startedHostapd = true;
                    _accessPointUp = true;
                    _refusedMac = null;
                    _options.Log("air", $"hostapd pid {_hostapd.Pid}: {Description}, channel {_options.Channel}");
                }
                _dnsmasq = await Dnsmasq.EnsureRunningAsync(_dnsmasq, _options, Interface, Subnet, cancellationToken).ConfigureAwait(false);
            }
            catch when (startedHostapd || _hostapd is not { Running: true })
            {
                // Nothing half-made stays: the access point without DHCP would let the module join and wait forever.
                await StopAllAsync().ConfigureAwait(false);
                throw;
            }
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
            if (_dnsmasq is { Running: true } dnsmasq)
            {
                await dnsmasq.StopAsync().ConfigureAwait(false);
                _options.Log("air", $"dnsmasq pid {dnsmasq.Pid} stopped: no DHCP, no DNS on {Subnet}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deauthenticates the module (<see cref="AirOptions.StationMac"/>, else the newest lease's MAC); it may join
    /// again at once. Throws <see cref="InvalidOperationException"/> when no MAC is known or hostapd refuses.
    /// </summary>
    public async Task DropStationAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hostapd = Running();
            if (!_accessPointUp)
            {
                _options.Log("wifi-deauth", $"no station to deauthenticate: the access point is off the air ({reason})");
                return;
            }
            var mac = StationMac("deauthenticate");
            await hostapd.Control.RequestAsync(cancellationToken, "deauthenticate", mac).ConfigureAwait(false);
            _options.Log("wifi-deauth", $"station {mac} deauthenticated by hostapd on {Interface}: {reason}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disables the access point (hostapd deauthenticates every station and stops beaconing) until <see cref="AccessPointUpAsync"/>.</summary>
    public async Task AccessPointDownAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hostapd = Running();
            if (!_accessPointUp) return;
            await hostapd.Control.RequestAsync(cancellationToken, "disable").ConfigureAwait(false);
            _accessPointUp = false;
            _options.Log("wifi-ap-down", $"access point '{_options.Ssid}' off the air (hostapd disabled {Interface}): {reason}");
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
            var hostapd = Running();
            if (_accessPointUp) return;
            await hostapd.Control.RequestAsync(cancellationToken, "enable").ConfigureAwait(false);
            _accessPointUp = true;
            _options.Log("wifi-ap-up", $"access point '{_options.Ssid}' back on the air (hostapd enabled {Interface})");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Puts the module's MAC (<see cref="AirOptions.StationMac"/>, else the newest lease's) on hostapd's deny list and
    /// deauthenticates it, or takes it off the list again.
    /// </summary>
    public async Task RefuseAssociationAsync(bool refuse, string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hostapd = Running();
            if (refuse && _refusedMac is null)
            {
                var mac = StationMac("refuse");
                await hostapd.Control.RequestAsync(cancellationToken, "deny_acl", "ADD_MAC", mac).ConfigureAwait(false);
                _refusedMac = mac;
                _options.Log("wifi-refuse", $"access point '{_options.Ssid}' refuses station {mac} (hostapd deny list): {reason}");
                if (_accessPointUp)
                {
                    await hostapd.Control.RequestAsync(cancellationToken, "deauthenticate", mac).ConfigureAwait(false);
                    _options.Log("wifi-deauth", $"station {mac} deauthenticated by hostapd on {Interface}: refused from now on");
                }
            }
            else if (!refuse && _refusedMac is { } refused)
            {
                await hostapd.Control.RequestAsync(cancellationToken, "deny_acl", "DEL_MAC", refused).ConfigureAwait(false);
                _refusedMac = null;
                _options.Log("wifi-admit", $"access point '{_options.Ssid}' admits station {refused} again: {reason}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops dnsmasq and hostapd and removes the rig's address from the interface. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var problem = await StopAllAsync().ConfigureAwait(false);
            _options.Log("air", problem is null ? $"access point on {Interface} stopped" : $"access point on {Interface} stopped; {problem}");
        }
        finally
        {
            _gate.Release();
        }
    }

    private HostapdProcess Running() =>
        _hostapd is { Running: true } hostapd ? hostapd : throw new InvalidOperationException($"hostapd on {Interface} is not running (see {Path.GetFileName(HostapdLog)} in the bench's work directory)");

    private string StationMac(string what) =>
        (_options.StationMac ?? Leases().FirstOrDefault()?.Mac)?.ToLowerInvariant()
        ?? throw new InvalidOperationException($"no station to {what} on {Interface}: the wiring gives no station MAC and dnsmasq has leased no address yet");

    private async Task SetAddressAsync(CancellationToken cancellationToken)
    {
        // replace, not add: a rig that died left its address, and a second add would fail with "File exists".
        await AirCommand.IpAsync(cancellationToken, "addr", "replace", $"{RigAddress}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}", "dev", Interface).ConfigureAwait(false);
        _addressSet = true;
    }

    /// <summary>Stops what runs and removes the address; returns what could not be undone, or null.</summary>
    private async Task<string?> StopAllAsync()
    {
        if (_dnsmasq is { } dnsmasq) await dnsmasq.StopAsync().ConfigureAwait(false);
        if (_hostapd is { } hostapd) await hostapd.StopAsync().ConfigureAwait(false);
        if (!_addressSet || !Directory.Exists(Path.Combine("/sys/class/net", Interface))) return null;
        _addressSet = false;
        var words = new[] { AirCommand.Ip ?? "ip", "addr", "del", $"{RigAddress}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}", "dev", Interface };
        var result = await AirCommand.RunAsync(words, CancellationToken.None).ConfigureAwait(false);
        return result.ExitCode == 0 ? null : $"its address {RigAddress} stays on {Interface}: {result.FirstLine}";
    }

    private static IEnumerable<string> SafeDirectories(string directory, string pattern)
    {
        try
        {
            return Directory.GetDirectories(directory, pattern);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
