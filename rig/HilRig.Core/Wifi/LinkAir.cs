using System.Net;

namespace HilRig.Core.Wifi;

/// <summary>
/// A bench network on an interface outside the rig that leads to the module (<c>air: { kind: link, interface: IF }</c>):
/// the bench double's veth, whose far end is the emulated module's station in a namespace the double owns. The rig takes
/// the first address of the subnet on it and serves DHCP and DNS there (dnsmasq), as on a Pi's access point, but there
/// is no radio: the WiFi faults are link faults (deauthentication: the link down for <see cref="AirFaultTimes.Deauthenticated"/>;
/// the access point away: down for the duration; a refused association: held down until admitted, so the module cannot
/// join, though it cannot tell a refusal from a missing access point).
/// </summary>
public sealed class LinkAir : IBenchAir
{
    private readonly AirOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dnsmasq? _dnsmasq;
    private bool _addressed;
    private int _disposed;

    /// <summary>An air on <see cref="AirOptions.Interface"/> (not started).</summary>
    public LinkAir(AirOptions options)
    {
        _options = options;
        Interface = options.Interface ?? throw new ArgumentException("a link air needs the interface", nameof(options));
        Subnet = options.Subnet ?? AirSubnetPicker.Pick(AirSubnetPicker.MachineAddresses());
    }

    /// <summary>The interface.</summary>
    public string Interface { get; }

    /// <summary>The bench network.</summary>
    public AirSubnet Subnet { get; }

    /// <inheritdoc />
    public string Description => $"link {Interface} {Subnet.RigAddress}/{Subnet.PrefixLength} (no radio: WiFi faults are link faults)";

    /// <inheritdoc />
    public IPAddress RigAddress => Subnet.RigAddress;

    /// <inheritdoc />
    public int PrefixLength => Subnet.PrefixLength;

    /// <inheritdoc />
    public IReadOnlyList<string> StationCommandPrefix => [];

    /// <inheritdoc />
    public string? StationInterface => null;

    /// <inheritdoc />
    public bool DnsmasqRunning => _dnsmasq?.Running ?? false;

    /// <inheritdoc />
    public string DnsmasqLog => new DnsmasqFiles(_options.WorkDirectory).Log;

    /// <summary>Why a link air cannot run on <paramref name="interfaceName"/> here, or null.</summary>
    public static string? Unavailable(string interfaceName) =>
        !Environment.IsPrivilegedProcess ? "it needs root (an address on the interface, dnsmasq on port 53)"
        : Dnsmasq.FindBinary() is null ? "dnsmasq is not installed (./setup.sh network installs it)"
        : !Directory.Exists(Path.Combine("/sys/class/net", interfaceName)) ? $"there is no interface {interfaceName} on this machine (is the bench double running?)"
        : null;


    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_addressed)
            {
                await AirCommand.IpAsync(cancellationToken, "addr", "replace", $"{RigAddress}/{PrefixLength}", "dev", Interface).ConfigureAwait(false);
                _addressed = true;
                await AirCommand.IpAsync(cancellationToken, "link", "set", "dev", Interface, "up").ConfigureAwait(false);
            }
            _dnsmasq = await Dnsmasq.EnsureRunningAsync(_dnsmasq, _options, Interface, Subnet, cancellationToken).ConfigureAwait(false);
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
        if (_dnsmasq is { } dnsmasq) await dnsmasq.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DropStationAsync(string reason, CancellationToken cancellationToken)
    {
        await LinkAsync(false, "wifi-deauth", $"module deauthenticated ({Interface} down for {AirFaultTimes.Deauthenticated.TotalMilliseconds:0} ms): {reason}").ConfigureAwait(false);
        try
        {
            await Task.Delay(AirFaultTimes.Deauthenticated, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await LinkAsync(true, "wifi-deauth", $"{Interface} up: the module may join again").ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task AccessPointDownAsync(string reason, CancellationToken cancellationToken) =>
        LinkAsync(false, "wifi-ap-down", $"access point '{_options.Ssid}' off the air ({Interface} down): {reason}");

    /// <inheritdoc />
    public Task AccessPointUpAsync(CancellationToken cancellationToken) =>
        LinkAsync(true, "wifi-ap-up", $"access point '{_options.Ssid}' back on the air ({Interface} up)");

    /// <inheritdoc />
    public string? CannotRefuseAssociation => $"the bench network on {Interface} is a link, not a radio: it has no association to refuse (holding the link down is an access point that went away)";

    /// <inheritdoc />
    public Task RefuseAssociationAsync(bool refuse, string reason, CancellationToken cancellationToken) => refuse
        ? LinkAsync(false, "wifi-refuse", $"access point '{_options.Ssid}' refuses the module's association ({Interface} held down: a link cannot refuse an association): {reason}")
        : LinkAsync(true, "wifi-admit", $"access point '{_options.Ssid}' admits the module again ({Interface} up): {reason}");

    private async Task LinkAsync(bool up, string kind, string detail)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await AirCommand.IpAsync(CancellationToken.None, "link", "set", "dev", Interface, up ? "up" : "down").ConfigureAwait(false);
            _options.Log(kind, detail);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops dnsmasq and takes the rig's address off the interface. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_dnsmasq is { } dnsmasq) await dnsmasq.StopAsync().ConfigureAwait(false);
        if (_addressed && Directory.Exists(Path.Combine("/sys/class/net", Interface)))
        {
            await AirCommand.RunAsync([AirCommand.Ip ?? "ip", "addr", "del", $"{RigAddress}/{PrefixLength}", "dev", Interface], CancellationToken.None).ConfigureAwait(false);
        }
        _gate.Dispose();
    }
}
