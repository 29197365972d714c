using System.Collections.Concurrent;
using HilRig.Gateway.Transport.Internal;
using MQTTnet;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport;

/// <summary>
/// Access nodes reached through in-memory pipes: MQTTnet's own packet formatter and channel adapter
/// on both ends, so devices and nodes exchange real MQTT packets, but no socket and no file
/// descriptor per connection. Lets ten thousand devices live in one process under a 20000-fd limit.
/// </summary>
public sealed class InMemoryTransport : GatewayTransport
{
    private const string Scheme = "mem://";
    // The in-memory client channel looks the node up by this host name; the port is ignored.
    private const int UnusedPort = 1883;

    private readonly ConcurrentDictionary<string, InMemoryServerAdapter> _listeners = new(StringComparer.Ordinal);
    private readonly MqttServerFactory _serverFactory = new();
    private readonly MqttClientFactory _clientFactory;

    /// <summary>A transport with its own private address space.</summary>
    public InMemoryTransport() => _clientFactory = new MqttClientFactory(new MQTTnet.Diagnostics.Logger.MqttNetNullLogger(), new InMemoryClientAdapterFactory(this));

    /// <inheritdoc />
    public override string Name => "in-memory";

    /// <summary>Options for an in-memory node (no TCP listener).</summary>
    public static MqttServerOptions ServerOptions() => BaseServerOptions().WithoutDefaultEndpoint().Build();

    /// <inheritdoc />
    public override MqttServer CreateServer(string nodeId, MqttServerOptions options)
    {
        var adapter = new InMemoryServerAdapter(nodeId);
        adapter.Disposed += () => _listeners.TryRemove(new KeyValuePair<string, InMemoryServerAdapter>(nodeId, adapter));
        if (!_listeners.TryAdd(nodeId, adapter))
        {
            throw new InvalidOperationException($"an in-memory access node '{nodeId}' already exists");
        }
        return _serverFactory.CreateMqttServer(options, [adapter]);
    }

    /// <inheritdoc />
    public override string AddressOf(string nodeId, MqttServer server, MqttServerOptions options) => Scheme + nodeId;

    /// <inheritdoc />
    public override IMqttClient CreateClient() => _clientFactory.CreateMqttClient();

    /// <inheritdoc />
    public override bool TryTarget(MqttClientOptionsBuilder builder, string address)
    {
        if (!address.StartsWith(Scheme, StringComparison.Ordinal) || address.Length == Scheme.Length) return false;
        builder.WithTcpServer(address[Scheme.Length..], UnusedPort);
        return true;
    }

    internal InMemoryServerAdapter? FindListener(string nodeId) => _listeners.TryGetValue(nodeId, out var adapter) ? adapter : null;
}
