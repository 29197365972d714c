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
