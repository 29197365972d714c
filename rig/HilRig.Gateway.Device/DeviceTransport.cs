using System.Net;
using MQTTnet;

namespace HilRig.Gateway.Device;

/// <summary>
/// How a device reaches the access node an address names: the client half of the cluster side's GatewayTransport
/// (which derives from this one), so a device needs no MQTT server code.
/// </summary>
public abstract class DeviceTransport
{
    /// <summary>Name printed by the fleet benchmark and in errors: "tcp-loopback" or "in-memory".</summary>
    public abstract string Name { get; }

    /// <summary>A new MQTT client that can reach the addresses this transport hands out.</summary>
    public abstract IMqttClient CreateClient();

    /// <summary>Points client options at <paramref name="address"/>; false when this transport cannot reach it.</summary>
    public abstract bool TryTarget(MqttClientOptionsBuilder builder, string address);
}

/// <summary>
/// A device dialling access nodes over TCP: "mqtt://ip:port" addresses on loopback or on <paramref name="benchAddress"/>.
/// </summary>
/// <param name="benchAddress">The rig's address on the bench network, where its nodes listen; null: loopback only.</param>
/// <param name="dialAnyAddress">A device inside the network double's namespace: the bench network is its only route, so
/// it dials any address the master gateway hands out; false: loopback and <paramref name="benchAddress"/> only.</param>
public sealed class TcpDeviceTransport(IPAddress? benchAddress = null, bool dialAnyAddress = false) : DeviceTransport
{
    private readonly MqttClientFactory _clientFactory = new();

    /// <inheritdoc />
    public override string Name => "tcp-loopback";

    /// <summary>Where the nodes listen: the bench network's rig address, else loopback.</summary>
    public IPAddress Address { get; } = benchAddress ?? IPAddress.Loopback;

    /// <inheritdoc />
    public override IMqttClient CreateClient() => _clientFactory.CreateMqttClient();

    /// <inheritdoc />
    public override bool TryTarget(MqttClientOptionsBuilder builder, string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt" || !IPAddress.TryParse(uri.Host, out var ip) || !(dialAnyAddress || IPAddress.IsLoopback(ip) || ip.Equals(Address)))
        {
            return false;
        }
        builder.WithTcpServer(uri.Host, uri.Port);
        return true;
    }
}
