using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>`hilrig network ca`: the bench CA for the firmware team's test build, made once and kept outside the repository.</summary>
public sealed class NetworkCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("hilrig-data-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Task<HilrigProcess.Result> RunAsync(params string[] args) =>
        HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_DATA_DIR"] = _data }, args);

    [Fact]
    public async Task Network_ca_creates_the_CA_once_prints_its_PEM_and_says_where_it_keeps_it()
    {
        var first = await RunAsync("network", "ca", "--wiring", "wiring/sim-chain-tls.yaml");
        Assert.True(first.ExitCode == 0, first.All);
        var directory = Path.Combine(_data, "benches", "sim-chain-tls", "ca");
        Assert.Contains($"bench CA for 'sim-chain-tls' created in {directory}", first.StandardError, StringComparison.Ordinal);
        var certificate = X509Certificate2.CreateFromPem(first.StandardOutput);
        Assert.Contains("CN=HilRig bench CA sim-chain-tls", certificate.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", first.StandardOutput, StringComparison.Ordinal);

        var second = await RunAsync("network", "ca", "--bench", "sim-chain-tls");
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Contains("kept in", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(first.StandardOutput, second.StandardOutput);
    }

    [Fact]
    public async Task Network_ca_needs_exactly_one_bench_and_refuses_a_name_that_is_a_path()
    {
        var none = await RunAsync("network", "ca");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("give the bench as --bench NAME or --wiring FILE", none.StandardError, StringComparison.Ordinal);
        var path = await RunAsync("network", "ca", "--bench", "../../etc");
        Assert.Equal(2, path.ExitCode);
        Assert.Contains("--bench '../../etc' is not a bench name", path.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data, "etc")));
    }
}
