using HilRig.Gateway.Device;
using MQTTnet;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport;

/// <summary>
/// How access nodes listen and devices reach them: real MQTT packets either over loopback TCP
/// (<see cref="TcpLoopbackTransport"/>) or over in-memory pipes (<see cref="InMemoryTransport"/>),
/// the one swap point between a handful of devices and a fleet of ten thousand in one process.
/// </summary>
public abstract class GatewayTransport : DeviceTransport
{
    /// <summary>Creates (does not start) the MQTT server of access node <paramref name="nodeId"/>.</summary>
    public abstract MqttServer CreateServer(string nodeId, MqttServerOptions options);

    /// <summary>The address devices are given for a started server ("mqtt://127.0.0.1:port" or "mem://node-id").</summary>
    public abstract string AddressOf(string nodeId, MqttServer server, MqttServerOptions options);

    /// <summary>Server options every access node shares: loopback only, small buffers (many sessions per process).</summary>
    protected static MqttServerOptionsBuilder BaseServerOptions() => new MqttServerOptionsBuilder()
        .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(30));
}
