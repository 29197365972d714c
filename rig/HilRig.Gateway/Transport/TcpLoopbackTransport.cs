using System.Globalization;
using System.Net;
using MQTTnet;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport;

/// <summary>Access nodes on 127.0.0.1 with a port the OS picks; two file descriptors per connection.</summary>
public sealed class TcpLoopbackTransport : GatewayTransport
{
    private readonly MqttServerFactory _serverFactory = new();
    private readonly MqttClientFactory _clientFactory = new();

    /// <inheritdoc />
    public override string Name => "tcp-loopback";

    /// <summary>Options for a loopback-only listener on an OS-chosen port (IPv6 listener off).</summary>
    public static MqttServerOptions ServerOptions()
    {
        var options = BaseServerOptions()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(0)
            .Build();
        options.DefaultEndpointOptions.BoundInterNetworkV6Address = IPAddress.None;
        return options;
    }

    /// <inheritdoc />
    public override MqttServer CreateServer(string nodeId, MqttServerOptions options) => _serverFactory.CreateMqttServer(options);

    /// <inheritdoc />
    public override string AddressOf(string nodeId, MqttServer server, MqttServerOptions options) =>
        string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{options.DefaultEndpointOptions.Port}");

    /// <inheritdoc />
    public override IMqttClient CreateClient() => _clientFactory.CreateMqttClient();

    /// <inheritdoc />
    public override bool TryTarget(MqttClientOptionsBuilder builder, string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt" || !IPAddress.TryParse(uri.Host, out var ip) || !IPAddress.IsLoopback(ip))
        {
            return false;
        }
        builder.WithTcpServer(uri.Host, uri.Port);
        return true;
    }
}
