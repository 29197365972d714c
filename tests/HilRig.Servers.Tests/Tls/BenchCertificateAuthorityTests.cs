using System.Security.Cryptography.X509Certificates;
using HilRig.Servers.Tls;

namespace HilRig.Servers.Tests.Tls;

/// <summary>The bench CA: created once with a private key, reused, and signing server certificates that are renewed only near expiry.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BenchCertificateAuthorityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hilrig-ca-").FullName;

    private string CaDirectory => BenchCertificateAuthority.DirectoryUnder(_root, "bench-a");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_CA_is_created_once_with_a_key_only_its_owner_reads_and_kept_after()
    {
        var first = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        var second = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(CaDirectory, BenchCertificateAuthority.KeyFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CaDirectory));
        Assert.Contains("CN=HilRig bench CA bench-a", first.Certificate.Subject, StringComparison.Ordinal);
        Assert.True(first.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", first.CertificatePem, StringComparison.Ordinal);
        // No staging directory is left beside it.
        Assert.DoesNotContain(Directory.GetFileSystemEntries(Path.GetDirectoryName(CaDirectory)!), e => Path.GetFileName(e).StartsWith('.'));
    }

    [Fact]
    public void A_CA_key_others_may_read_is_refused_naming_the_file()
    {
        BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        var key = Path.Combine(CaDirectory, BenchCertificateAuthority.KeyFileName);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var error = Assert.Throws<CertificateAuthorityException>(() => BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a"));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CA_directory_without_its_key_is_refused_with_what_is_missing()
    {
        BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        File.Delete(Path.Combine(CaDirectory, BenchCertificateAuthority.KeyFileName));
        var error = Assert.Throws<CertificateAuthorityException>(() => BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a"));
        Assert.Contains("ca.key is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_certificate_names_the_server_localhost_and_127_0_0_1_and_chains_to_the_CA_alone()
    {
        var ca = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        var server = ca.ServerCertificateFor("acme", ["acme"]);
        Assert.True(server.Certificate.HasPrivateKey);
        Assert.True(server.Certificate.MatchesHostname("acme"));
        Assert.True(server.Certificate.MatchesHostname("localhost"));
        Assert.True(server.Certificate.MatchesHostname("127.0.0.1"));
        Assert.False(server.Certificate.MatchesHostname("rival"));
        Assert.Null(BenchTrust.Problem(server.Certificate, ca.Certificate, "127.0.0.1"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.KeyPath));
        var other = BenchCertificateAuthority.LoadOrCreate(BenchCertificateAuthority.DirectoryUnder(_root, "bench-b"), "bench-b");
        var problem = BenchTrust.Problem(server.Certificate, other.Certificate, "127.0.0.1");
        Assert.NotNull(problem);
        Assert.Contains("is not signed by the CA it trusts (CN=HilRig bench CA bench-b", problem, StringComparison.Ordinal);
        Assert.Contains("does not name rival", BenchTrust.Problem(server.Certificate, ca.Certificate, "rival"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_certificate_is_reused_while_valid_and_renewed_when_close_to_expiry()
    {
        var now = DateTimeOffset.UtcNow;
        var ca = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a", new ManualClock(now));
        var issued = ca.ServerCertificateFor("acme", ["acme"]);
        var kept = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a", new ManualClock(now.AddDays(300))).ServerCertificateFor("acme", ["acme"]);
        var renewed = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a", new ManualClock(now + BenchCertificateAuthority.ServerLifetime - TimeSpan.FromDays(10)))
            .ServerCertificateFor("acme", ["acme"]);
        Assert.False(issued.Reused);
        Assert.True(kept.Reused);
        Assert.Equal(issued.Certificate.Thumbprint, kept.Certificate.Thumbprint);
        Assert.False(renewed.Reused);
        Assert.NotEqual(issued.Certificate.Thumbprint, renewed.Certificate.Thumbprint);
    }

    [Fact]
    public void A_server_certificate_for_other_names_or_from_another_CA_is_issued_again()
    {
        var ca = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        var first = ca.ServerCertificateFor("acme", ["acme"]);
        var renamed = ca.ServerCertificateFor("acme", ["acme", "acme.bench"]);
        Assert.False(renamed.Reused);
        Assert.True(renamed.Certificate.MatchesHostname("acme.bench"));
        // A new CA in the same place (the old one was removed): the kept certificate no longer chains to it.
        var servers = Path.Combine(CaDirectory, "servers");
        var keptFiles = Directory.GetFiles(servers).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Directory.Delete(CaDirectory, recursive: true);
        var newCa = BenchCertificateAuthority.LoadOrCreate(CaDirectory, "bench-a");
        Directory.CreateDirectory(servers);
        foreach (var (name, bytes) in keptFiles) File.WriteAllBytes(Path.Combine(servers, name), bytes);
        foreach (var key in Directory.GetFiles(servers, "*.key")) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var reissued = newCa.ServerCertificateFor("acme", ["acme", "acme.bench"]);
        Assert.False(reissued.Reused);
        Assert.Null(BenchTrust.Problem(reissued.Certificate, newCa.Certificate, "acme"));
        Assert.NotEqual(first.Certificate.Thumbprint, reissued.Certificate.Thumbprint);
    }
}
