using System.Net;
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
}
