using System.Net;

namespace HilRig.Core.Wifi;

/// <summary>
/// The bench network the WiFi module lives on (wiring <c>network: air:</c>, docs/wiring.md): an access point the rig
/// runs, DHCP and DNS on it (dnsmasq: the firmware's server names resolve to <see cref="RigAddress"/>), and the
/// WiFi-level faults. Two kinds: the network double (NamespaceAir: a network namespace holds the
/// module's side of the air, a veth pair is the radio link) and a Pi's access point (HostapdAir).
/// </summary>
public interface IBenchAir : IAsyncDisposable
{
    /// <summary>One line for logs and the check: what this air is ("network double hilrig-812-1: veth hra812a1 10.231.7.1/24").</summary>
    string Description { get; }

    /// <summary>The rig's address on the bench network: the servers listen here (and on loopback), and every name resolves to it.</summary>
    IPAddress RigAddress { get; }

    /// <summary>Prefix length of the bench network (24 for 10.231.7.0/24).</summary>
    int PrefixLength { get; }

    /// <summary>
    /// The command words that run a program on the module's side of the air (the double: <c>ip netns exec NAME</c>);
    /// empty on a Pi, where the module is a real device.
    /// </summary>
    IReadOnlyList<string> StationCommandPrefix { get; }

    /// <summary>The interface an emulated module joins through, on its side of the air (the double's veth end); null on a Pi.</summary>
    string? StationInterface { get; }

    /// <summary>True while dnsmasq (DHCP and DNS of the bench network) runs.</summary>
    bool DnsmasqRunning { get; }

    /// <summary>Where dnsmasq logs every lease and query (attach it to a bug).</summary>
    string DnsmasqLog { get; }

    /// <summary>Brings the access point and dnsmasq up; throws with one clear line naming what failed.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>The DHCP leases dnsmasq handed out, newest first.</summary>
    IReadOnlyList<AirLease> Leases();

    /// <summary>Stops dnsmasq (the network check proves it notices; a fault nobody else uses).</summary>
    Task StopDnsmasqAsync();

    /// <summary>Deauthenticates the module: its link goes away at once and it may join again (after <see cref="AirFaultTimes.Deauthenticated"/> on the double).</summary>
    Task DropStationAsync(string reason, CancellationToken cancellationToken);

    /// <summary>Takes the access point off the air (no beacon, no link) until <see cref="AccessPointUpAsync"/>.</summary>
    Task AccessPointDownAsync(string reason, CancellationToken cancellationToken);

    /// <summary>Brings the access point back after <see cref="AccessPointDownAsync"/>.</summary>
    Task AccessPointUpAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Why this air cannot refuse an association (a link has no association to refuse), or null when
    /// <see cref="RefuseAssociationAsync"/> does what it says.
    /// </summary>
    string? CannotRefuseAssociation => null;

    /// <summary>
    /// While <paramref name="refuse"/> holds, the access point refuses the module's association (it is deauthenticated
    /// once and every join after is refused); false lets it join again.
    /// </summary>
    Task RefuseAssociationAsync(bool refuse, string reason, CancellationToken cancellationToken);
}

/// <summary>One DHCP lease of the bench network.</summary>
/// <param name="Mac">The client's MAC address (lower case, colons).</param>
/// <param name="Address">The address it was given.</param>
/// <param name="HostName">The host name it sent, when any.</param>
/// <param name="Expires">When the lease ends.</param>
public sealed record AirLease(string Mac, IPAddress Address, string? HostName, DateTimeOffset Expires);

/// <summary>Fixed times of the WiFi faults.</summary>
public static class AirFaultTimes
{
    /// <summary>How long a deauthenticated station stays without link on the double before it may join again.</summary>
    public static readonly TimeSpan Deauthenticated = TimeSpan.FromSeconds(1);
}

/// <summary>What an air is made from (the wiring's <c>network: air:</c> plus where the bench keeps its files).</summary>
public sealed record AirOptions
{
    /// <summary>The bench's name (names the namespace and the files).</summary>
    public required string BenchName { get; init; }

    /// <summary>The bench network; null on the double picks a free /24 under 10.231.0.0/16.</summary>
    public AirSubnet? Subnet { get; init; }

    /// <summary>The host names the firmware uses for the servers; dnsmasq answers each with <see cref="IBenchAir.RigAddress"/> and nothing else.</summary>
    public required IReadOnlyList<string> HostNames { get; init; }

    /// <summary>Where dnsmasq's (and hostapd's) config, leases, pid and log go.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The access point's SSID.</summary>
    public required string Ssid { get; init; }

    /// <summary>Its WPA2 passphrase.</summary>
    public required string Passphrase { get; init; }

    /// <summary>
    /// The double only: the air file the emulated module's radio reads (<see cref="Protocol.Cloud.Air"/>): the double
    /// writes the access point into it while it is up (marked <see cref="Protocol.Cloud.AccessPoint.Refused"/> while it
    /// refuses the module's association), and an empty list while it is down.
    /// </summary>
    public string? AirFile { get; init; }

    /// <summary>hostapd only: the WiFi interface in access-point mode (wlan0).</summary>
    public string? Interface { get; init; }

    /// <summary>hostapd only: the channel (default 6).</summary>
    public int Channel { get; init; } = 6;

    /// <summary>hostapd only: the two-letter country code (regulatory domain), when given.</summary>
    public string? Country { get; init; }

    /// <summary>hostapd only: the module's MAC address; null learns it from the newest DHCP lease.</summary>
    public string? StationMac { get; init; }

    /// <summary>Timeline lines (kind, detail) of what the air does.</summary>
    public Action<string, string> Log { get; init; } = (_, _) => { };
}
