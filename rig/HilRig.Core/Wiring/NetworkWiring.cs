namespace HilRig.Core.Wiring;

/// <summary>
/// The device's network side and the servers the rig emulates for it (docs/cloud.md): the WiFi access
/// point, the device's identity, the target OTA server, the vendor servers and where their brokers run.
/// </summary>
/// <param name="Wifi">The access point the rig emulates.</param>
/// <param name="DeviceId">The device id preset in the module (MQTT client id and user name).</param>
/// <param name="Product">Product name; the target server keeps an upgrade order per product.</param>
/// <param name="TargetId">Server id of the target OTA server.</param>
/// <param name="Vendors">Vendor servers, each with its server id.</param>
/// <param name="Broker">Where the servers' MQTT brokers run.</param>
/// <param name="Line">Line of the <c>network</c> entry.</param>
public sealed record NetworkWiring(WifiWiring Wifi, string DeviceId, string Product, string TargetId,
    IReadOnlyList<VendorWiring> Vendors, BrokerWiring Broker, int Line = 0)
{
    /// <summary>The gateway cluster the device reaches its vendor backend through (docs/cloud.md §5), or null for none.</summary>
    public GatewayWiring? Gateway { get; init; }

    /// <summary>
    /// True: the target server (MQTT and firmware downloads) and the vendor brokers speak TLS only, with certificates
    /// from the bench CA that the module trusts (docs/cloud.md §6); no plain port is opened. False (the default): plain.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>
    /// The bench network the module joins (an access point, DHCP and DNS, WiFi faults), or null: the servers listen on
    /// loopback and the emulated module reaches them there (no names, no DHCP).
    /// </summary>
    public AirWiring? Air { get; init; }

    /// <summary>
    /// The host name (and MQTT port, 0: one the OS picks) the firmware uses for each server id and, under
    /// <see cref="GatewayName"/>, for the master gateway; dnsmasq resolves each to the rig on a bench with <see cref="Air"/>.
    /// Default: <c>ID.hilrig.test</c>.
    /// </summary>
    public IReadOnlyDictionary<string, ServerName> Names { get; init; } = new Dictionary<string, ServerName>();

    /// <summary>
    /// The device's MQTT password on every server, when its firmware holds one (a hardware bench's module); null: the rig
    /// makes a secret per server and run and programs it into the emulated module's factory record.
    /// </summary>
    public string? DeviceSecret { get; init; }

    /// <summary>The key of <see cref="Names"/> for the master gateway.</summary>
    public const string GatewayName = "gateway";

    /// <summary>The name of a server id (or the gateway), the default when the wiring has none.</summary>
    public ServerName NameOf(string id) => Names.TryGetValue(id, out var name) ? name : new ServerName($"{id}.hilrig.test", 0);

    /// <summary>The vendor server with the given id.</summary>
    public VendorWiring Vendor(string id) => Vendors.FirstOrDefault(v => v.Id == id)
        ?? throw new ArgumentException($"the bench has no vendor server '{id}' (vendor servers: {string.Join(", ", Vendors.Select(v => v.Id))})");
}

/// <summary>The emulated WiFi access point.</summary>
/// <param name="Ssid">Its SSID.</param>
/// <param name="Passphrase">Its passphrase.</param>
/// <param name="KilobytesPerSecond">Throughput of the emulated link per direction, in KiB/s (0: unlimited).</param>
public sealed record WifiWiring(string Ssid, string Passphrase, int KilobytesPerSecond);

/// <summary>A vendor server.</summary>
/// <param name="Id">Its server id (a key of the module's access config table).</param>
/// <param name="OtaUnit">True when it runs an OTA unit of its own (which the module must ignore).</param>
public sealed record VendorWiring(string Id, bool OtaUnit);

/// <summary>
/// Where the servers' MQTT brokers run: embedded in the rig (MQTTnet, loopback, a port the OS picks), or one
/// mosquitto process per server that the rig starts on a loopback port with the devices' credentials and ACLs.
/// </summary>
/// <param name="Mosquitto">True: mosquitto processes (installed by ./setup.sh mosquitto). False: embedded brokers.</param>
public sealed record BrokerWiring(bool Mosquitto)
{
    /// <summary>Embedded brokers.</summary>
    public static BrokerWiring Embedded { get; } = new(false);
}

/// <summary>The emulated gateway cluster (docs/cloud.md §5): logical nodes gw-1..gw-N, each with one access node at first.</summary>
/// <param name="LogicalNodes">How many logical nodes; the module belongs to gw-1.</param>
/// <param name="Capacity">Device connections each access node takes.</param>
/// <param name="Version">Version the access nodes start with.</param>
public sealed record GatewayWiring(int LogicalNodes, int Capacity, string Version)
{
    /// <summary>The logical node names.</summary>
    public IReadOnlyList<string> LogicalNodeNames => Enumerable.Range(1, LogicalNodes).Select(i => $"gw-{i}").ToList();
}

/// <summary>A server's host name as the firmware knows it, and its fixed port (0: a port the OS picks).</summary>
/// <param name="Host">The host name.</param>
/// <param name="Port">The MQTT (or master gateway HTTP) port, 0 for any.</param>
public sealed record ServerName(string Host, int Port);

/// <summary>How the module's WiFi is made.</summary>
public enum AirKind
{
    /// <summary>The network double: a network namespace holds the emulated module's side, a veth pair is the radio link.</summary>
    Netns,

    /// <summary>A real access point: hostapd on a WiFi interface of the Pi in AP mode.</summary>
    Hostapd,

    /// <summary>
    /// An interface outside the rig that leads to the module (the bench double's veth): the rig serves DHCP and DNS on it and
    /// the WiFi faults are link faults on it (no radio, no hostapd).
    /// </summary>
    Link,
}

/// <summary>network.air of the wiring file: the bench network the module joins.</summary>
/// <param name="Kind">The double or a real access point.</param>
/// <param name="Subnet">The bench network (required for hostapd; the double picks a free /24 when null).</param>
/// <param name="Interface">hostapd: the WiFi interface in AP mode.</param>
/// <param name="Channel">hostapd: the channel.</param>
/// <param name="Country">hostapd: the country code, when given.</param>
/// <param name="StationMac">hostapd: the module's MAC, when known.</param>
/// <param name="Line">Line of the air entry.</param>
public sealed record AirWiring(AirKind Kind, Wifi.AirSubnet? Subnet, string? Interface, int Channel, string? Country, string? StationMac, int Line);
