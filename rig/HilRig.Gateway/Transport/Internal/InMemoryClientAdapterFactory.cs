using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace HilRig.Gateway.Transport.Internal;

/// <summary>Gives MQTTnet clients a channel that connects to an in-memory node by its host name.</summary>
internal sealed class InMemoryClientAdapterFactory(InMemoryTransport transport) : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        var host = (options.ChannelOptions as MqttClientTcpOptions)?.RemoteEndpoint switch
        {
            DnsEndPoint dns => dns.Host,
            var other => other?.ToString() ?? "",
        };
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(new ConnectingChannel(transport, host), formatter, logger) { PacketInspector = packetInspector };
    }

    /// <summary>Looks the node up at connect time, like a TCP connect would.</summary>
    private sealed class ConnectingChannel(InMemoryTransport transport, string nodeId) : IMqttChannel
    {
        private InMemoryMqttChannel? _channel;

        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => _channel?.RemoteEndPoint ?? new DnsEndPoint(nodeId, 1883);
        public EndPoint LocalEndPoint => _channel?.LocalEndPoint ?? new DnsEndPoint("mem-client", 1);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken)
        {
            var listener = transport.FindListener(nodeId) ?? throw new MqttCommunicationException($"connection refused: no in-memory access node '{nodeId}'");
            _channel = listener.Accept();
            return Task.CompletedTask;
        }

        public Task DisconnectAsync(CancellationToken cancellationToken) => _channel?.DisconnectAsync(cancellationToken) ?? Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            (_channel ?? throw new MqttCommunicationException("not connected")).ReadAsync(buffer, offset, count, cancellationToken);

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
            (_channel ?? throw new MqttCommunicationException("not connected")).WriteAsync(buffer, isEndOfPacket, cancellationToken);

        public void Dispose() => _channel?.Dispose();
    }
}
