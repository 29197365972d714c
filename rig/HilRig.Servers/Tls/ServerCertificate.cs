using System.Security.Cryptography.X509Certificates;

namespace HilRig.Servers.Tls;

/// <summary>
/// A server's certificate signed by the bench CA, with its files (for mosquitto and real clients) and the loaded
/// certificate with its private key (for MQTTnet and Kestrel).
/// </summary>
/// <param name="ServerName">The server it was issued for ("hilrig-ota", "acme").</param>
/// <param name="Certificate">The certificate with its private key.</param>
/// <param name="CertificatePath">PEM chain: the server certificate, then the CA certificate.</param>
/// <param name="KeyPath">PEM private key, mode 0600.</param>
/// <param name="CaCertificatePath">The bench CA certificate (PEM).</param>
/// <param name="Reused">True when the kept certificate was still good; false when it was issued now.</param>
public sealed record ServerCertificate(string ServerName, X509Certificate2 Certificate, string CertificatePath, string KeyPath, string CaCertificatePath, bool Reused)
{
    /// <summary>The bench CA certificate, what a client checks this server against.</summary>
    public X509Certificate2 LoadCa() => X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificatePath));
}
