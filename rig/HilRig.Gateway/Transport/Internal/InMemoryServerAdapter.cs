using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace HilRig.Gateway.Transport.Internal;

/// <summary>The "listener" of an in-memory access node: hands each accepted channel to the MQTT server.</summary>
internal sealed class InMemoryServerAdapter(string nodeId) : IMqttServerAdapter
{
    private MqttServerOptions? _options;
    private IMqttNetLogger _logger = new MqttNetNullLogger();
    private volatile bool _listening;
    private long _connections;

    public event Action? Disposed;

    public Func<IMqttChannelAdapter, Task> ClientHandler { get; set; } = _ => Task.CompletedTask;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        _logger = logger;
        _listening = true;
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _listening = false;
        return Task.CompletedTask;
    }

    /// <summary>Accepts a connection like a TCP listener would; refused when the node is not listening.</summary>
    public InMemoryMqttChannel Accept()
    {
        var options = _options;
        if (!_listening || options is null) throw new MqttCommunicationException($"connection refused: in-memory node '{nodeId}' is not listening");
        var (client, server) = InMemoryMqttChannel.CreatePair(nodeId, Interlocked.Increment(ref _connections));
        var handler = ClientHandler;
        _ = Task.Run(async () =>
        {
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(server, formatter, _logger);
            try
            {
                await handler(adapter).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The MQTT server logs and ends the connection itself; nothing is left to clean up here.
            }
            finally
            {
                server.Dispose();
            }
        });
        return client;
    }

    public void Dispose()
    {
        _listening = false;
        Disposed?.Invoke();
    }
}
