using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Core.Wifi;

/// <summary>Makes and starts the air a wiring file's <c>network: air:</c> names.</summary>
public static class BenchAirs
{
    /// <summary>
    /// Creates the air of <paramref name="network"/> (the network double or a Pi's access point) and brings it up; its
    /// changes go on <paramref name="timeline"/> as "wifi" lines. Throws with one clear line when it cannot.
    /// </summary>
    /// <param name="benchName">The bench's name.</param>
    /// <param name="network">The network section (its <see cref="NetworkWiring.Air"/> must be set).</param>
    /// <param name="workDirectory">Where dnsmasq's (and hostapd's) files go.</param>
    /// <param name="airFile">The double only: the air file the emulated module's radio reads.</param>
    /// <param name="timeline">The bench timeline.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<IBenchAir> StartAsync(string benchName, NetworkWiring network, string workDirectory, string? airFile,
        BenchTimeline timeline, CancellationToken cancellationToken)
    {
        var air = network.Air ?? throw new ArgumentException("the network section has no air", nameof(network));
        var options = new AirOptions
        {
            BenchName = benchName,
            Subnet = air.Subnet,
            HostNames = network.Names.Values.Select(n => n.Host).Distinct(StringComparer.Ordinal).ToList(),
            WorkDirectory = workDirectory,
            Ssid = network.Wifi.Ssid,
            Passphrase = network.Wifi.Passphrase,
            AirFile = airFile,
            Interface = air.Interface,
            Channel = air.Channel,
            Country = air.Country,
            StationMac = air.StationMac,
            Log = (kind, detail) => timeline.Add("wifi", kind, detail),
        };
        IBenchAir created = air.Kind switch
        {
            AirKind.Netns => NamespaceAir.Unavailable() is { } why
                ? throw new InvalidOperationException($"wiring line {air.Line}: the network double (air: {{ kind: netns }}) cannot run here: {why}")
                : await NamespaceAir.CreateAsync(options, cancellationToken).ConfigureAwait(false),
            AirKind.Link => LinkAir.Unavailable(air.Interface ?? "") is { } why
                ? throw new InvalidOperationException($"wiring line {air.Line}: the bench network on {air.Interface} (air: {{ kind: link }}) cannot run here: {why}")
                : new LinkAir(options),
            _ => HostapdAir.Unavailable(air.Interface ?? "") is { } why
                ? throw new InvalidOperationException($"wiring line {air.Line}: the access point (air: {{ kind: hostapd, interface: {air.Interface} }}) cannot run here: {why}")
                : new HostapdAir(options),
        };
        try
        {
            await created.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await created.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        timeline.Add("wifi", "air", $"{created.Description}; names {string.Join(", ", options.HostNames)} resolve to {created.RigAddress}");
        return created;
    }
}
