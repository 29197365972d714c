using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using HilRig.Core.Nodes;
using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>
/// `hilrig bench station` inside the network double (NamespaceAir: a namespace, a veth pair, dnsmasq): the emulated
/// module's WiFi station gets its lease, resolves the bench's names through dnsmasq, checks TLS against the bench CA,
/// and notices a WiFi drop. The tests that need the namespace skip without root.
/// </summary>
public sealed class BenchStationCommandTests : IAsyncDisposable
{
    private static readonly string[] HostNames = ["ota.hilrig.test", "acme.hilrig.test"];

    private readonly string _work = Directory.CreateTempSubdirectory("hilrig-station-test-").FullName;
    private NamespaceAir? _air;

    public async ValueTask DisposeAsync()
    {
        if (_air is not null)
        {
            await _air.DisposeAsync();
        }
        Directory.Delete(_work, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<NamespaceAir> AirAsync()
    {
        Assert.SkipWhen(NamespaceAir.Unavailable() is not null, NamespaceAir.Unavailable() ?? "");
        _air = await NamespaceAir.CreateAsync(new AirOptions
        {
            BenchName = "station-test",
            HostNames = HostNames,
            WorkDirectory = Path.Combine(_work, "air"),
            Ssid = "hilrig-station-test",
            Passphrase = "station-test-passphrase",
            AirFile = Path.Combine(_work, "air.json"),
        }, Token);
        return _air;
    }

    private string Plan(object plan)
    {
        var path = Path.Combine(_work, $"plan-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(plan));
        return path;
    }

    /// <summary>Starts `hilrig bench station ...` after <paramref name="prefix"/> (the namespace's `ip netns exec NS`).</summary>
    private static Process Start(IReadOnlyList<string> prefix, params string[] args)
    {
        var (file, hilrig) = HilrigExecutable.Resolve();
        var words = prefix.Concat([file]).Concat(hilrig).Concat(["bench", "station"]).Concat(args).ToList();
        var info = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.Skip(1))
        {
            info.ArgumentList.Add(word);
        }
        return Process.Start(info)!;
    }

    private static async Task<HilrigProcess.Result> RunAsync(IReadOnlyList<string> prefix, params string[] args)
    {
        using var process = Start(prefix, args);
        var stdout = process.StandardOutput.ReadToEndAsync(Token);
        var stderr = process.StandardError.ReadToEndAsync(Token);
        await WaitForExitAsync(process);
        return new HilrigProcess.Result(process.ExitCode, await stdout, await stderr);
    }

    private static async Task WaitForExitAsync(Process process)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Station_gets_a_lease_in_the_bench_subnet_and_resolves_the_bench_names_through_dnsmasq_but_not_an_unknown_one()
    {
        var air = await AirAsync();
        var plan = Plan(new { resolve = new[] { "ota.hilrig.test", "acme.hilrig.test", "unknown.hilrig.test" } });

        var result = await RunAsync(air.StationCommandPrefix, "--interface", air.StationInterface, "--plan", plan);

        Assert.True(result.ExitCode == 1, result.All);
        var lines = Lines(result.StandardOutput);
        Assert.Equal(4, lines.Length);
        var dhcp = lines[0].Split(' ');
        Assert.True(dhcp is ["PASS", "dhcp", _, "dns", _], result.All);
        var address = IPAddress.Parse(dhcp[2].Split('/')[0]);
        Assert.True(air.Subnet.Contains(address) && !address.Equals(air.RigAddress), result.All);
        Assert.Equal($"{address}/{air.PrefixLength}", dhcp[2]);
        Assert.Equal(air.RigAddress.ToString(), dhcp[4]);
        Assert.Equal($"PASS dns ota.hilrig.test -> {air.RigAddress}", lines[1]);
        Assert.Equal($"PASS dns acme.hilrig.test -> {air.RigAddress}", lines[2]);
        Assert.StartsWith($"FAIL dns unknown.hilrig.test: name unknown.hilrig.test does not resolve at DNS server {air.RigAddress}", lines[3], StringComparison.Ordinal);
        Assert.Contains(air.Leases(), lease => lease.Address.Equals(address));
    }

    [Fact]
    public async Task Station_passes_TLS_with_the_bench_CA_and_fails_it_with_another_CA_or_with_the_address_for_a_name()
    {
        var air = await AirAsync();
        using var ca = TestCertificates.Authority("CN=station test bench CA");
        using var other = TestCertificates.Authority("CN=station test other CA");
        using var server = TestCertificates.Issue(ca, "ota.hilrig.test");
        File.WriteAllText(Path.Combine(_work, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_work, "other.pem"), other.ExportCertificatePem());
        using var listener = new TcpListener(air.RigAddress, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = ServeTlsAsync(listener, server);
        var plan = Plan(new
        {
            tls = new object[]
            {
                new { host = "ota.hilrig.test", port, ca = "ca.pem" },
                new { host = "ota.hilrig.test", port, ca = "other.pem" },
                new { host = air.RigAddress.ToString(), port, ca = "ca.pem" },
            },
        });

        var result = await RunAsync(air.StationCommandPrefix, "--interface", air.StationInterface, "--plan", plan);

        Assert.True(result.ExitCode == 1, result.All);
        var lines = Lines(result.StandardOutput);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("PASS dhcp ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"PASS tls ota.hilrig.test:{port}: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("names ota.hilrig.test", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"FAIL tls ota.hilrig.test:{port}: refused the server: its certificate (CN=ota.hilrig.test, issued by CN=station test bench CA) is not signed by the CA it trusts (CN=station test other CA", lines[2], StringComparison.Ordinal);
        Assert.Equal($"FAIL tls {air.RigAddress}:{port}: refused the server: its certificate does not name the host dialled (it names ota.hilrig.test)", lines[3]);
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task Station_reports_the_link_loss_When_the_access_point_drops_it()
    {
        var air = await AirAsync();
        var plan = Plan(new { resolve = new[] { "ota.hilrig.test" } });
        using var process = Start(air.StationCommandPrefix, "--interface", air.StationInterface, "--plan", plan, "--watch-link", "30");
        var stderr = process.StandardError.ReadToEndAsync(Token);
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(Token) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("WATCH link", StringComparison.Ordinal))
            {
                await air.DropStationAsync("test: the station is deauthenticated", Token);
            }
        }
        await WaitForExitAsync(process);

        var all = string.Join('\n', lines) + "\n" + await stderr;
        Assert.True(process.ExitCode == 0, all);
        Assert.Equal($"WATCH link on {air.StationInterface} for 30 s", lines[^2]);
        Assert.StartsWith($"PASS link lost on {air.StationInterface} after ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Station_fails_DHCP_with_one_line_and_tries_nothing_else_When_dnsmasq_is_stopped()
    {
        var air = await AirAsync();
        await air.StopDnsmasqAsync();
        var plan = Plan(new { resolve = new[] { "ota.hilrig.test" } });

        var result = await RunAsync(air.StationCommandPrefix, "--interface", air.StationInterface, "--plan", plan);

        Assert.True(result.ExitCode == 1, result.All);
        var lines = Lines(result.StandardOutput);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"FAIL dhcp on {air.StationInterface}: no DHCP lease on {air.StationInterface} (udhcpc exit ", lines[0], StringComparison.Ordinal);
        Assert.Equal("FAIL dns ota.hilrig.test: not tried: no DHCP lease", lines[1]);
    }

    [Fact]
    public async Task Station_says_the_interface_is_missing_When_it_runs_outside_the_module_namespace()
    {
        var plan = Plan(new { resolve = new[] { "ota.hilrig.test" } });

        var result = await RunAsync([], "--interface", "hsnone0", "--plan", plan);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Equal(
            ["FAIL dhcp on hsnone0: there is no interface hsnone0 here (is this the module's network namespace?)", "FAIL dns ota.hilrig.test: not tried: no DHCP lease"],
            Lines(result.StandardOutput));
    }

    [Fact]
    public async Task Station_refuses_a_bad_plan_with_one_line_naming_the_field()
    {
        var plan = Plan(new { tls = new[] { new { host = "ota.hilrig.test", port = 0, ca = "ca.pem" } } });

        var result = await RunAsync([], "--interface", "hsnone0", "--plan", plan);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        Assert.Equal([$"hilrig bench station: plan {plan}: tls[0].port: expected a port number (1 to 65535), found 0"], Lines(result.StandardError));
    }

    private static async Task ServeTlsAsync(TcpListener listener, X509Certificate2 certificate)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            using (client)
            await using (var tls = new SslStream(client.GetStream()))
            {
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, Token);
                }
                catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The station refused this server's certificate: what the failing checks expect.
                }
            }
        }
    }
}
