using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace HilRig.Servers.Tls;

/// <summary>MQTT over TLS for MQTTnet clients that trust the bench CA alone (<see cref="BenchTrust"/>).</summary>
public static class MqttClientTls
{
    /// <summary>
    /// Makes the client speak TLS 1.2 or 1.3 and accept only a server whose certificate chains to <paramref name="trustedCa"/>
    /// and names the host dialled; every refusal is told to <paramref name="refused"/> before the connect fails.
    /// </summary>
    public static MqttClientOptionsBuilder WithBenchTls(this MqttClientOptionsBuilder builder, X509Certificate2 trustedCa, Action<string> refused) =>
        builder.WithTlsOptions(tls => tls
            .UseTls()
            .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
            .WithCertificateValidationHandler(e =>
            {
                if (BenchTrust.Problem(e.Certificate, e.SslPolicyErrors, trustedCa) is { } problem)
                {
                    refused(problem);
                    return false;
                }
                return true;
            }));
}
