using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>
/// `hilrig network check` on the network double (wiring/sim-chain-air.yaml): every part passes on a working bench network,
/// and a broken part is one FAIL line naming it (dnsmasq stopped; a CA the servers were not signed by).
/// </summary>
public sealed class NetworkCheckCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("hilrig-data-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Task<HilrigProcess.Result> RunAsync(params string[] args)
    {
        var why = NamespaceAir.Unavailable();
        Assert.SkipWhen(why is not null, $"the network double cannot run here: {why}");
        return HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_DATA_DIR"] = _data }, args);
    }

    private static string[] Rows(HilrigProcess.Result result, string verdict) =>
        result.StandardOutput.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Contains($" {verdict}  ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Every_part_of_the_double_passes()
    {
        var result = await RunAsync("network", "check", "wiring/sim-chain-air.yaml");
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Empty(Rows(result, "FAIL"));
        foreach (var part in new[] { "access point", "servers", "dnsmasq", "dhcp", "dns", "tls", "mqtt" })
        {
            Assert.Contains(Rows(result, "PASS"), l => l.TrimStart().StartsWith(part + " ", StringComparison.Ordinal));
        }
        // Every name of the wiring file resolves to the rig, and each server is checked over TLS by its name.
        foreach (var name in new[] { "ota.hilrig.test", "acme.hilrig.test", "rival.hilrig.test", "gateway.hilrig.test" })
        {
            Assert.Contains(Rows(result, "PASS"), l => l.Contains($"dns", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal));
        }
        Assert.Equal(4, Rows(result, "PASS").Count(l => l.TrimStart().StartsWith("tls ", StringComparison.Ordinal)));
        Assert.Equal(3, Rows(result, "PASS").Count(l => l.TrimStart().StartsWith("mqtt ", StringComparison.Ordinal) && l.Contains("connected as dev-0001 over TLS", StringComparison.Ordinal)));
        Assert.EndsWith("network check: PASS, 15 parts work", result.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_dnsmasq_stopped_the_check_fails_naming_dnsmasq_and_the_lease()
    {
        var result = await RunAsync("network", "check", "wiring/sim-chain-air.yaml", "--break", "dnsmasq");
        Assert.Equal(1, result.ExitCode);
        var failed = Rows(result, "FAIL");
        Assert.Contains(failed, l => l.TrimStart().StartsWith("dnsmasq ", StringComparison.Ordinal) && l.Contains("dnsmasq is not running", StringComparison.Ordinal));
        Assert.Contains(failed, l => l.TrimStart().StartsWith("dhcp ", StringComparison.Ordinal) && l.Contains("no DHCP lease", StringComparison.Ordinal));
        // What could not be tried without a lease is one line, not one per name and server.
        Assert.Single(failed, l => l.Contains("not tried", StringComparison.Ordinal));
        Assert.Equal(3, failed.Length);
        Assert.Contains("network check: FAIL", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_another_CA_every_TLS_part_fails_saying_which_CA_signed_the_server()
    {
        var other = Path.Combine(_data, "other-ca.crt");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=Some other bench CA, O=HilRig", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(other, certificate.ExportCertificatePem() + "\n", TestContext.Current.CancellationToken);
        }
        var result = await RunAsync("network", "check", "wiring/sim-chain-air.yaml", "--ca", other);
        Assert.Equal(1, result.ExitCode);
        var failed = Rows(result, "FAIL");
        Assert.Equal(7, failed.Length);
        Assert.All(failed, l => Assert.Contains("is not signed by the CA it trusts (CN=Some other bench CA", l, StringComparison.Ordinal));
        Assert.Contains(Rows(result, "PASS"), l => l.TrimStart().StartsWith("dhcp ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bench_without_a_bench_network_is_one_clear_line()
    {
        var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_DATA_DIR"] = _data },
            "network", "check", "wiring/sim-chain.yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.Single(Rows(result, "FAIL"));
        Assert.Contains("has no bench network (network: air:)", result.StandardOutput, StringComparison.Ordinal);
    }
}
