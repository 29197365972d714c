using System.Net;
using System.Security.Cryptography;
using HilRig.Core.Network;
using HilRig.Core.Timeline;
using HilRig.Core.Wifi;
using HilRig.Core.Wiring;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Transport;
using HilRig.Protocol.Cloud;
using HilRig.Servers;
using HilRig.Servers.Mqtt;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tls;
using HilRig.Servers.Vendor;

namespace HilRig.Core.Servers;

/// <summary>
/// The emulated cloud of one bench (docs/cloud.md): the target OTA server, the vendor servers, and a
/// <see cref="NetworkGate"/> in front of every endpoint the module reaches, so the rig can take the
/// device's network down. Everything the servers see goes on the bench timeline.
/// </summary>
public sealed class CloudBench : IAsyncDisposable
{
    private readonly Dictionary<string, VendorServer> _vendors;
    private readonly Dictionary<string, NetworkGate> _vendorGates;
    private readonly Dictionary<string, string> _secrets;
    private List<MosquittoBroker> _mosquittos = [];

    private CloudBench(NetworkWiring wiring, TargetOtaServer target, Dictionary<string, VendorServer> vendors,
        NetworkGate targetMqtt, NetworkGate targetHttp, Dictionary<string, NetworkGate> vendorGates, Dictionary<string, string> secrets, string neighbourSecret)
    {
        NeighbourSecret = neighbourSecret;
        Wiring = wiring;
        Target = target;
        _vendors = vendors;
        TargetMqttGate = targetMqtt;
        TargetHttpGate = targetHttp;
        _vendorGates = vendorGates;
        _secrets = secrets;
    }

    /// <summary>
    /// The rig's address on the bench network the module joins (wiring <c>network: air:</c>): the gates, the master
    /// gateway and the access nodes listen there and the module's access config names the servers by host name; null:
    /// everything on loopback, the module reaches 127.0.0.1.
    /// </summary>
    public IPAddress? BenchAddress { get; private init; }

    /// <summary>The bench network the module joins (the network double or a Pi's access point), when the wiring has one.</summary>
    public IBenchAir? Air { get; private init; }

    /// <summary>The network section of the wiring file.</summary>
    public NetworkWiring Wiring { get; }

    /// <summary>The gateway cluster (docs/cloud.md §5), when the wiring has one.</summary>
    public GatewayCluster? Gateway { get; private init; }

    /// <summary>The master gateway's HTTP front, which the module asks for addresses.</summary>
    public MasterGatewayHttpServer? MasterGatewayHttp { get; private init; }

    /// <summary>The gateway cluster, or a clear error for a bench without one.</summary>
    public GatewayCluster RequireGateway() => Gateway ?? throw new InvalidOperationException(
        "the bench has no gateway cluster: add network.gateway: { logical_nodes: 2, capacity: 8 } to its wiring file");

    /// <summary>The target OTA server.</summary>
    public TargetOtaServer Target { get; }

    /// <summary>The bench CA that signed the servers' certificates, on a bench with <c>tls: true</c>; null otherwise.</summary>
    public BenchCertificateAuthority? CertificateAuthority { get; private init; }

    /// <summary>The vendor servers by server id.</summary>
    public IReadOnlyDictionary<string, VendorServer> Vendors => _vendors;

    /// <summary>The device's path to the target server's broker.</summary>
    public NetworkGate TargetMqttGate { get; }

    /// <summary>The device's path to the target server's HTTP endpoint (firmware downloads).</summary>
    public NetworkGate TargetHttpGate { get; }

    /// <summary>Every gate of the device's network.</summary>
    public IReadOnlyList<NetworkGate> Gates => [TargetMqttGate, TargetHttpGate, .. _vendorGates.Values];

    /// <summary>The device id.</summary>
    public string DeviceId => Wiring.DeviceId;

    /// <summary>The vendor server with this id (the target server's id names its vendor side, on the target's broker).</summary>
    public VendorServer Vendor(string serverId) => _vendors.TryGetValue(serverId, out var v) ? v
        : throw new ArgumentException($"no vendor server '{serverId}' (vendor servers: {string.Join(", ", _vendors.Keys)})");

    /// <summary>The gate in front of a server id's broker (the target's when the id is the target's).</summary>
    public NetworkGate BrokerGate(string serverId) => serverId == Wiring.TargetId ? TargetMqttGate
        : _vendorGates.TryGetValue(serverId, out var g) ? g
        : throw new ArgumentException($"no server '{serverId}' (servers: {Wiring.TargetId}, {string.Join(", ", _vendorGates.Keys)})");

    /// <summary>The device's secret on a server.</summary>
    public string SecretFor(string serverId) => _secrets[serverId];

    /// <summary>Another device every server knows (the bench's device is not alone in the fleet), for ACL checks.</summary>
    public const string NeighbourDeviceId = "dev-0002";

    /// <summary>The neighbour device's secret on every server.</summary>
    public string NeighbourSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// Starts every server and gate of <paramref name="wiring"/>; mosquitto brokers keep their files under <paramref name="workDirectory"/>.
    /// A bench with <c>tls: true</c> needs its <paramref name="certificateAuthority"/>, which signs each server's certificate.
    /// </summary>
    /// <remarks>With an <paramref name="air"/> (the bench network; the bench owns it from then on and it goes with the
    /// bench) the module reaches the gates,
    /// the master gateway and the access nodes there, on the wiring's fixed ports where it names them; the servers behind
    /// the gates stay on loopback.</remarks>
    public static async Task<CloudBench> StartAsync(NetworkWiring wiring, BenchTimeline timeline, string workDirectory, CancellationToken cancellationToken,
        BenchCertificateAuthority? certificateAuthority = null, IBenchAir? air = null)
    {
        var benchAddress = air?.RigAddress;
        if (wiring.Broker.Mosquitto && MosquittoBroker.FindBinary() is null)
        {
            throw new FileNotFoundException($"wiring line {wiring.Line}: the bench runs its servers on mosquitto (broker: {{ kind: mosquitto }}), which is not installed; ./setup.sh mosquitto installs it");
        }
        if (wiring.Tls && certificateAuthority is null)
        {
            throw new ArgumentException($"wiring line {wiring.Line}: the bench's servers speak TLS (tls: true) but no bench CA was given", nameof(certificateAuthority));
        }
        // One certificate per server, for its server id, its host name on the bench network, localhost and 127.0.0.1.
        ServerCertificate? Certificate(string serverId) => wiring.Tls ? certificateAuthority!.ServerCertificateFor(serverId, [serverId, wiring.NameOf(serverId).Host]) : null;
        IPEndPoint? Listen(string id) => benchAddress is null ? null : new IPEndPoint(benchAddress, wiring.NameOf(id).Port);
        ServerEventSink sink = (source, kind, detail) => timeline.Add(source, kind, detail);
        var bytesPerSecond = wiring.Wifi.KilobytesPerSecond > 0 ? wiring.Wifi.KilobytesPerSecond * 1024L : (long?)null;
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var neighbourSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        // A real module's firmware holds its password (the wiring's device secret); the emulated one gets a secret per server and run.
        string NewSecret(string server) => secrets[server] = wiring.DeviceSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var vendors = new Dictionary<string, VendorServer>(StringComparer.Ordinal);
        var mosquittos = new List<MosquittoBroker>();
        async Task<MosquittoBroker> MosquittoAsync(string name, DeviceRegistry devices, DeviceTopicAcl acl, ServerCertificate? tls)
        {
            var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
            {
                Name = name, Devices = devices, Acl = acl, WorkDirectory = Path.Combine(workDirectory, name.Replace(':', '-')), Tls = tls,
            }, sink, cancellationToken).ConfigureAwait(false);
            mosquittos.Add(broker);
            return broker;
        }
        var vendorGates = new Dictionary<string, NetworkGate>(StringComparer.Ordinal);
        TargetOtaServer? target = null;
        NetworkGate? targetMqtt = null, targetHttp = null;
        GatewayCluster? cluster = null;
        MasterGatewayHttpServer? masterHttp = null;
        try
        {
            var targetDevices = new DeviceRegistry().Add(wiring.DeviceId, NewSecret(wiring.TargetId)).Add(NeighbourDeviceId, neighbourSecret);
            var targetTls = Certificate(wiring.TargetId);
            var targetOptions = new TargetOtaServerOptions { Devices = targetDevices, Acl = DeviceTopicAcl.TargetAndVendor, Tls = targetTls };
            target = wiring.Broker.Mosquitto
                ? await TargetOtaServer.StartAsync(targetOptions, await MosquittoAsync("target", targetDevices, DeviceTopicAcl.TargetAndVendor, targetTls).ConfigureAwait(false), sink, cancellationToken).ConfigureAwait(false)
                : await TargetOtaServer.StartAsync(targetOptions, sink, cancellationToken).ConfigureAwait(false);
            // A device provisioned with the target's own server id uses the target server as its vendor server too.
            vendors[wiring.TargetId] = new VendorServer(wiring.TargetId, target.Broker, sink);
            targetMqtt = StartGate($"net:{wiring.TargetId}-mqtt", target.Broker.Port, timeline, bytesPerSecond, Listen(wiring.TargetId));
            targetHttp = StartGate($"net:{wiring.TargetId}-http", target.DownloadPort, timeline, bytesPerSecond,
                benchAddress is null ? null : new IPEndPoint(benchAddress, 0));
            var downloadHost = benchAddress is null ? "127.0.0.1" : wiring.NameOf(wiring.TargetId).Host;
            target.DownloadBaseUri = new Uri($"{target.DownloadUri.Scheme}://{downloadHost}:{targetHttp.Port}/");
            foreach (var vendor in wiring.Vendors)
            {
                var devices = new DeviceRegistry().Add(wiring.DeviceId, NewSecret(vendor.Id)).Add(NeighbourDeviceId, neighbourSecret);
                var vendorTls = Certificate(vendor.Id);
                var server = wiring.Broker.Mosquitto
                    ? new VendorServer(vendor.Id, await MosquittoAsync($"vendor:{vendor.Id}", devices, DeviceTopicAcl.Vendor, vendorTls).ConfigureAwait(false), sink, vendor.OtaUnit)
                    : await VendorServer.StartAsync(new VendorServerOptions { ServerId = vendor.Id, Devices = devices, WithOtaUnit = vendor.OtaUnit, Tls = vendorTls }, sink, cancellationToken).ConfigureAwait(false);
                vendors[vendor.Id] = server;
                vendorGates[vendor.Id] = StartGate($"net:{vendor.Id}", server.Broker.Port, timeline, bytesPerSecond, Listen(vendor.Id));
            }
            if (wiring.Gateway is { } gw)
            {
                // With broker: { kind: mosquitto } every access node (and every node the GMS starts later) is a mosquitto
                // process on loopback with its files under the bench's work directory (docs/cloud.md §5.6).
                cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions
                {
                    LogicalNodes = gw.LogicalNodeNames,
                    Capacity = gw.Capacity,
                    Version = gw.Version,
                    Mosquitto = wiring.Broker.Mosquitto ? new MosquittoNodeOptions { WorkDirectory = Path.Combine(workDirectory, "gateway") } : null,
                }, new TcpLoopbackTransport(benchAddress), sink, cancellationToken).ConfigureAwait(false);
                // The bench's device gets its gateway password now (mosquitto nodes create its login before the bench goes on);
                // scenarios register their virtual devices as they make them.
                await cluster.RegisterDevicesAsync([wiring.DeviceId], cancellationToken).ConfigureAwait(false);
                masterHttp = await MasterGatewayHttpServer.StartAsync(cluster.Master, sink, cancellationToken, Listen(NetworkWiring.GatewayName)).ConfigureAwait(false);
            }
            return new CloudBench(wiring, target, vendors, targetMqtt, targetHttp, vendorGates, secrets, neighbourSecret)
            {
                _mosquittos = mosquittos, Gateway = cluster, MasterGatewayHttp = masterHttp, CertificateAuthority = wiring.Tls ? certificateAuthority : null,
                BenchAddress = benchAddress, Air = air,
            };
        }
        catch
        {
            if (masterHttp is not null) await masterHttp.DisposeAsync().ConfigureAwait(false);
            if (cluster is not null) await cluster.DisposeAsync().ConfigureAwait(false);
            foreach (var gate in vendorGates.Values.Append(targetMqtt).Append(targetHttp).OfType<NetworkGate>()) await gate.DisposeAsync().ConfigureAwait(false);
            foreach (var (id, server) in vendors)
            {
                if (id != wiring.TargetId) await server.DisposeAsync().ConfigureAwait(false);
            }
            if (target is not null) await target.DisposeAsync().ConfigureAwait(false);
            foreach (var broker in mosquittos) await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static NetworkGate StartGate(string name, int port, BenchTimeline timeline, long? bytesPerSecond, IPEndPoint? listen)
    {
        var gate = new NetworkGate(name, new IPEndPoint(IPAddress.Loopback, port), timeline, bytesPerSecond, listen);
        gate.Start();
        return gate;
    }

    /// <summary>
    /// The factory record of the bench's module: its identity and the access config table, pointing at the gates (by
    /// host name on a bench network, which the module resolves through the bench's DNS; else 127.0.0.1).
    /// </summary>
    public ModuleFactoryConfig FactoryConfig()
    {
        string Host(string id) => BenchAddress is null ? "127.0.0.1" : Wiring.NameOf(id).Host;
        var access = new Dictionary<string, AccessConfig>(StringComparer.Ordinal)
        {
            [Wiring.TargetId] = new AccessConfig(Host(Wiring.TargetId), TargetMqttGate.Port, _secrets[Wiring.TargetId]) { Tls = Wiring.Tls },
        };
        foreach (var (id, gate) in _vendorGates)
        {
            access[id] = new AccessConfig(Host(id), gate.Port, _secrets[id]) { Tls = Wiring.Tls };
        }
        return new ModuleFactoryConfig(Wiring.DeviceId, Wiring.Product, Wiring.TargetId, access)
        {
            TrustedCaPem = CertificateAuthority?.CertificatePem,
            Gateway = MasterGatewayHttp is null || Wiring.Gateway is null ? null
                : new GatewayAccess(BenchAddress is null ? MasterGatewayHttp.BaseAddress.ToString()
                    : $"http://{Wiring.NameOf(NetworkWiring.GatewayName).Host}:{MasterGatewayHttp.BaseAddress.Port}/", Wiring.Gateway.LogicalNodeNames[0])
                {
                    Secret = Gateway is not null && Gateway.Credentials.TryGetSecret(Wiring.DeviceId, out var secret) ? secret : null,
                },
        };
    }

    /// <summary>The access points the module's radio hears: the bench's one.</summary>
    public Air AirFile() => new([new AccessPoint(Wiring.Wifi.Ssid, Wiring.Wifi.Passphrase)]);

    /// <summary>Takes the device's whole network down (every gate).</summary>
    public void NetworkDown(string reason) => ForEachGate(gate => gate.Down(reason));

    /// <summary>Brings the device's network back.</summary>
    public void NetworkUp() => ForEachGate(gate => gate.Up());

    /// <summary>Every gate gets the change even when one of them fails (a half-down network would hide the fault).</summary>
    private void ForEachGate(Action<NetworkGate> change)
    {
        List<Exception>? failures = null;
        foreach (var gate in Gates)
        {
            try
            {
                change(gate);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                (failures ??= []).Add(ex);
            }
        }
        if (failures is not null)
        {
            throw new AggregateException("a network gate failed to switch", failures);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (MasterGatewayHttp is not null) await MasterGatewayHttp.DisposeAsync().ConfigureAwait(false);
        if (Gateway is not null) await Gateway.DisposeAsync().ConfigureAwait(false);
        foreach (var gate in Gates) await gate.DisposeAsync().ConfigureAwait(false);
        foreach (var (id, server) in _vendors)
        {
            if (id != Wiring.TargetId) await server.DisposeAsync().ConfigureAwait(false);
        }
        await Target.DisposeAsync().ConfigureAwait(false);
        foreach (var broker in _mosquittos) await broker.DisposeAsync().ConfigureAwait(false);
        if (Air is not null) await Air.DisposeAsync().ConfigureAwait(false);
    }
}
