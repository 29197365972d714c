using MQTTnet;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport;

/// <summary>
/// How access nodes listen and devices reach them: real MQTT packets either over loopback TCP
/// (<see cref="TcpLoopbackTransport"/>) or over in-memory pipes (<see cref="InMemoryTransport"/>),
/// the one swap point between a handful of devices and a fleet of ten thousand in one process.
/// </summary>
public abstract class GatewayTransport
{
    /// <summary>Name printed by the fleet benchmark: "tcp-loopback" or "in-memory".</summary>
    public abstract string Name { get; }

    /// <summary>Creates (does not start) the MQTT server of access node <paramref name="nodeId"/>.</summary>
    public abstract MqttServer CreateServer(string nodeId, MqttServerOptions options);

    /// <summary>The address devices are given for a started server ("mqtt://127.0.0.1:port" or "mem://node-id").</summary>
    public abstract string AddressOf(string nodeId, MqttServer server, MqttServerOptions options);

    /// <summary>A new MQTT client that can reach the addresses this transport hands out.</summary>
    public abstract IMqttClient CreateClient();

    /// <summary>Points client options at <paramref name="address"/>; false when this transport cannot reach it.</summary>
    public abstract bool TryTarget(MqttClientOptionsBuilder builder, string address);

    /// <summary>Server options every access node shares: loopback only, small buffers (many sessions per process).</summary>
    protected static MqttServerOptionsBuilder BaseServerOptions() => new MqttServerOptionsBuilder()
        .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(30));
}
