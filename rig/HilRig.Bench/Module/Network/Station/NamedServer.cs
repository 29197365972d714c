using System.Net;
using System.Net.Sockets;
using MQTTnet;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>
/// A server dialled at the address its name resolved to, while TLS still checks the certificate against the
/// name (SNI and the host name check use the name, as an ESP's mbedTLS does with the host of its access config).
/// </summary>
public static class NamedServer
{
    /// <summary>The MQTT server <paramref name="host"/>:<paramref name="port"/>, dialled at <paramref name="address"/> when given (else MQTTnet resolves the host itself).</summary>
    public static MqttClientOptionsBuilder WithNamedServer(this MqttClientOptionsBuilder builder, string host, IPAddress? address, int port) =>
        address is null ? builder.WithTcpServer(host, port) : builder.WithEndPoint(new IPEndPoint(address, port));

    /// <summary>Makes the TLS of <paramref name="options"/> (when it has any) verify the server against <paramref name="host"/>, not the address dialled.</summary>
    public static MqttClientOptions NamedFor(this MqttClientOptions options, string host)
    {
        if (options.ChannelOptions is MqttClientTcpOptions { TlsOptions: { UseTls: true } tls })
        {
            tls.TargetHost = host;
        }
        return options;
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that looks the URL's host up with <paramref name="names"/> and
    /// dials the address; the handler's TLS still checks the certificate against the URL's host.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(INameResolver names) => async (context, token) =>
    {
        var address = await names.ResolveAsync(context.DnsEndPoint.Host, token).ConfigureAwait(false);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, context.DnsEndPoint.Port, token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
