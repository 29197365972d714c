using System.Globalization;
using System.Net;
using HilRig.Gateway.Device;
using MQTTnet;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport;

/// <summary>
/// Access nodes on 127.0.0.1 with a port the OS picks, or on the rig's address of a bench network (the module lives
/// in the network double); two file descriptors per connection.
/// </summary>
/// <param name="benchAddress">The rig's address on the bench network: nodes listen there (and devices reach them
/// there); null: loopback.</param>
/// <param name="dialAnyAddress">A device inside the network double's namespace: the bench network is its only route, so
/// it dials any address the master gateway hands out; false: loopback and <paramref name="benchAddress"/> only.</param>
public sealed class TcpLoopbackTransport(IPAddress? benchAddress = null, bool dialAnyAddress = false) : GatewayTransport
{
    private readonly MqttServerFactory _serverFactory = new();
    private readonly TcpDeviceTransport _client = new(benchAddress, dialAnyAddress);

    /// <inheritdoc />
    public override string Name => "tcp-loopback";

    /// <summary>Where the nodes listen and devices connect: the bench network's rig address, else loopback.</summary>
    public IPAddress Address => _client.Address;

    /// <summary>Options for a listener on <see cref="Address"/> only, on an OS-chosen port (IPv6 listener off).</summary>
    public MqttServerOptions ServerOptions()
    {
        var options = BaseServerOptions()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(Address)
            .WithDefaultEndpointPort(0)
            .Build();
        options.DefaultEndpointOptions.BoundInterNetworkV6Address = IPAddress.None;
        return options;
    }

    /// <inheritdoc />
    public override MqttServer CreateServer(string nodeId, MqttServerOptions options) => _serverFactory.CreateMqttServer(options);

    /// <inheritdoc />
    public override string AddressOf(string nodeId, MqttServer server, MqttServerOptions options) =>
        string.Create(CultureInfo.InvariantCulture, $"mqtt://{Address}:{options.DefaultEndpointOptions.Port}");

    /// <inheritdoc />
    public override IMqttClient CreateClient() => _client.CreateClient();

    /// <inheritdoc />
    public override bool TryTarget(MqttClientOptionsBuilder builder, string address) => _client.TryTarget(builder, address);
}
