using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Scenarios.Drivers;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about TLS between the module and the bench's servers (docs/cloud.md §6).</summary>
[Binding]
public sealed class TlsSteps(BenchDriver bench)
{
    [Given("the module's firmware trusts another certificate authority")]
    public void GivenAnotherCa()
    {
        // A CA like the bench's (same kind of key, same extensions) that signed none of the bench's servers.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Some other bench CA, O=HilRig", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        bench.ModuleTrustedCaPem = certificate.ExportCertificatePem();
    }
}
