using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HilRig.Servers.Tls;

/// <summary>
/// The certificate authority of one bench (docs/cloud.md §6): created once, kept with the bench outside the
/// repository (<see cref="DefaultDirectory"/>), its certificate built into the firmware team's test build. It signs
/// the certificates of the servers the rig emulates, which are reused while valid and renewed when close to expiry.
/// ECDSA P-256 throughout (every TLS stack a WiFi module ships, mbedTLS included, verifies it).
/// </summary>
public sealed class BenchCertificateAuthority
{
    /// <summary>The CA certificate (PEM) in the CA's directory.</summary>
    public const string CertificateFileName = "ca.crt";

    /// <summary>The CA's private key (PKCS#8 PEM, mode 0600) in the CA's directory.</summary>
    public const string KeyFileName = "ca.key";

    /// <summary>The CA outlives many test builds: a new CA means a new build for the module.</summary>
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);

    /// <summary>398 days: the longest server certificate browsers and most TLS stacks still accept (CA/Browser Forum baseline).</summary>
    public static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(398);

    /// <summary>A server certificate with less than this left is issued again.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    internal const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    internal const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private BenchCertificateAuthority(string directory, X509Certificate2 certificate, ECDsa key, bool created, TimeProvider time)
    {
        Directory = directory;
        Certificate = certificate;
        _key = key;
        Created = created;
        _time = time;
    }

    /// <summary>The directory the CA lives in.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM, what the firmware team builds in.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>The CA certificate file.</summary>
    public string CertificatePath => Path.Combine(Directory, CertificateFileName);

    /// <summary>True when <see cref="LoadOrCreate"/> made this CA (there was none).</summary>
    public bool Created { get; }

    /// <summary>
    /// Where a bench's CA is kept unless configured: $HILRIG_DATA_DIR/benches/BENCH/ca, else
    /// $XDG_DATA_HOME/hilrig/benches/BENCH/ca, else ~/.local/share/hilrig/benches/BENCH/ca.
    /// </summary>
    public static string DefaultDirectory(string benchName)
    {
        var root = Environment.GetEnvironmentVariable("HILRIG_DATA_DIR") is { Length: > 0 } own ? own
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "hilrig");
        return DirectoryUnder(root, benchName);
    }

    /// <summary>A bench's CA directory under a rig data directory: DATA/benches/BENCH/ca.</summary>
    public static string DirectoryUnder(string dataDirectory, string benchName) => Path.Combine(dataDirectory, "benches", benchName, "ca");

    /// <summary>
    /// The CA in <paramref name="directory"/>, created there (key mode 0600, directory 0700) when there is none.
    /// Throws <see cref="CertificateAuthorityException"/> naming the file and the problem when what is there is unusable.
    /// </summary>
    public static BenchCertificateAuthority LoadOrCreate(string directory, string benchName, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            CreateAtomically(directory, benchName, time);
            return Load(directory, created: true, time);
        }
        return Load(directory, created: false, time);
    }

    private static void CreateAtomically(string directory, string benchName, TimeProvider time)
    {
        var parent = Path.GetDirectoryName(directory)!;
        PrivateFiles.CreateDirectory(parent);
        // Built in a sibling directory and renamed into place: a second rig creating the same CA at the same time
        // loses the rename and uses the winner's, and a crash never leaves a certificate without its key.
        var staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        PrivateFiles.CreateDirectory(staging);
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var subject = new X500DistinguishedName($"CN=HilRig bench CA {benchName}, O=HilRig");
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = time.GetUtcNow();
            using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime);
            PrivateFiles.Write(Path.Combine(staging, KeyFileName), key.ExportPkcs8PrivateKeyPem() + "\n");
            File.WriteAllText(Path.Combine(staging, CertificateFileName), certificate.ExportCertificatePem() + "\n");
            System.IO.Directory.Move(staging, directory);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, CertificateFileName)))
        {
            // Another process created it first: use theirs.
        }
        finally
        {
            if (System.IO.Directory.Exists(staging))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static BenchCertificateAuthority Load(string directory, bool created, TimeProvider time)
    {
        var certificatePath = Path.Combine(directory, CertificateFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            throw new CertificateAuthorityException($"{directory}: a bench CA directory holds {CertificateFileName} and {KeyFileName}; "
                + $"{(File.Exists(certificatePath) ? KeyFileName : CertificateFileName)} is missing (remove the directory to create a new CA, and give the firmware team its certificate)");
        }
        PrivateFiles.RequirePrivate(keyPath);
        X509Certificate2 certificate;
        var key = ECDsa.Create();
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new CertificateAuthorityException($"{directory}: {CertificateFileName} or {KeyFileName} is not a PEM certificate / ECDSA key ({ex.Message})");
        }
        using (var publicKey = certificate.GetECDsaPublicKey())
        {
            if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                key.Dispose();
                throw new CertificateAuthorityException($"{keyPath}: the key does not belong to {certificatePath}");
            }
        }
        if (certificate.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime)
        {
            key.Dispose();
            throw new CertificateAuthorityException($"{certificatePath}: the bench CA expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}; "
                + "remove the directory to create a new one and give the firmware team its certificate for a new test build");
        }
        return new BenchCertificateAuthority(directory, certificate, key, created, time);
    }

    /// <summary>
    /// The certificate of server <paramref name="serverName"/>, for <paramref name="dnsNames"/> plus localhost and
    /// 127.0.0.1: the one kept in servers/ when it is signed by this CA, names the same hosts and has more than
    /// <see cref="RenewBefore"/> left; otherwise a new one, which replaces it.
    /// </summary>
    public ServerCertificate ServerCertificateFor(string serverName, IReadOnlyList<string> dnsNames)
    {
        var names = dnsNames.Append("localhost").Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var servers = Path.Combine(Directory, "servers");
        PrivateFiles.CreateDirectory(servers);
        var certificatePath = Path.Combine(servers, serverName + ".crt");
        var keyPath = Path.Combine(servers, serverName + ".key");
        if (TryReuse(certificatePath, keyPath, names) is { } kept)
        {
            return new ServerCertificate(serverName, kept, certificatePath, keyPath, CertificatePath, Reused: true);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}, O=HilRig"), key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names) alternativeNames.AddDnsName(name);
        alternativeNames.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = _time.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number (RFC 5280 §4.1.2.2)
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now + ServerLifetime, serial);
        PrivateFiles.Write(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        // The chain (server, then CA) in one file: what mosquitto's certfile and openssl expect.
        PrivateFiles.Write(certificatePath, issued.ExportCertificatePem() + "\n" + CertificatePem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new ServerCertificate(serverName, issued.CopyWithPrivateKey(key), certificatePath, keyPath, CertificatePath, Reused: false);
    }

    private X509Certificate2? TryReuse(string certificatePath, string keyPath, IReadOnlyList<string> names)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }
        X509Certificate2 kept;
        try
        {
            PrivateFiles.RequirePrivate(keyPath);
            kept = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or CertificateAuthorityException)
        {
            // Unreadable, mismatched or readable by others: issued again.
            return null;
        }
        var left = kept.NotAfter.ToUniversalTime() - _time.GetUtcNow().UtcDateTime;
        var sameNames = kept.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault() is { } san
            && san.EnumerateDnsNames().Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(names.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase)
            && san.EnumerateIPAddresses().Any(System.Net.IPAddress.IsLoopback);
        if (left > RenewBefore && sameNames && BenchTrust.Problem(kept, this.Certificate, hostName: null) is null)
        {
            return kept;
        }
        kept.Dispose();
        return null;
    }
}

/// <summary>A bench CA directory that cannot be used, with the file and what is wrong with it.</summary>
public sealed class CertificateAuthorityException(string message) : Exception(message);
