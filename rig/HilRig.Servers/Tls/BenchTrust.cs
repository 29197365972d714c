using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace HilRig.Servers.Tls;

/// <summary>
/// How a client of the bench (the emulated module, the rig's own backend clients) checks a server: its certificate
/// must chain to the one CA it was given, and only to it (the machine's trust store plays no part), and name the
/// host it dialled. Revocation is not checked: a bench CA publishes no revocation list.
/// </summary>
public static class BenchTrust
{
    /// <summary>
    /// Null when <paramref name="certificate"/> chains to <paramref name="trustedCa"/> (and, with <paramref name="errors"/>
    /// from the TLS stack, names the host dialled); otherwise one line saying what is wrong.
    /// </summary>
    public static string? Problem(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 trustedCa)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server sent no certificate";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            using var named = new X509Certificate2(certificate);
            return $"its certificate does not name the host dialled (it names {Names(named)})";
        }
        using var server = new X509Certificate2(certificate);
        return Problem(server, trustedCa, hostName: null);
    }

    /// <summary>Null when <paramref name="server"/> chains to <paramref name="trustedCa"/> alone (and names <paramref name="hostName"/> when given); otherwise why not.</summary>
    public static string? Problem(X509Certificate2 server, X509Certificate2 trustedCa, string? hostName)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(server))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"its certificate ({server.Subject}, issued by {server.Issuer}) is not signed by the CA it trusts ({trustedCa.Subject}, SHA-256 {trustedCa.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)[..16]}…): {status}";
        }
        if (hostName is not null && !server.MatchesHostname(hostName))
        {
            return $"its certificate does not name {hostName} (it names {Names(server)})";
        }
        return null;
    }

    /// <summary>A validation callback for SslStream / HttpClient that trusts <paramref name="trustedCa"/> alone and reports every refusal to <paramref name="refused"/>.</summary>
    public static RemoteCertificateValidationCallback Callback(X509Certificate2 trustedCa, Action<string> refused) => (_, certificate, _, errors) =>
    {
        if (Problem(certificate, errors, trustedCa) is { } problem)
        {
            refused(problem);
            return false;
        }
        return true;
    };

    private static string Names(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault() is { } san
            ? string.Join(", ", san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())))
            : certificate.Subject;
}
