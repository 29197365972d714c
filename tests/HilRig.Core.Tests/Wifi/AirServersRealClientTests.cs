using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wifi;
using HilRig.Core.Wiring;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Tls;
using Xunit;

namespace HilRig.Core.Tests.Wifi;

/// <summary>
/// Real clients (mosquitto_pub, curl, openssl s_client) on the module's side of the network double, reaching every
/// server of a TLS bench by the name the firmware uses, through the bench's DNS (docs/wiring.md "The bench network").
/// With the bench CA and the device's credentials they get through; without credentials they are refused; checked
/// against another CA they refuse the server; plain connections to the TLS ports fail.
/// </summary>
[Collection(AirServersCollection.Name)]
public sealed class AirServersRealClientTests(AirServersRealClientTests.Bench bench) : IClassFixture<AirServersRealClientTests.Bench>
{
    public static TheoryData<string> MqttServers => new() { "hilrig-ota", "acme" };

    [Theory]
    [MemberData(nameof(MqttServers))]
    public async Task Mosquitto_pub_with_the_bench_CA_and_the_device_credentials_gets_through(string serverId)
    {
        var (code, output) = await bench.InAirAsync("mosquitto_pub", [.. bench.Publish(serverId), "--cafile", bench.CaPath, "-i", Device, "-u", Device, "-P", bench.Cloud.SecretFor(serverId)]);
        Assert.True(code == 0, $"mosquitto_pub to {bench.Host(serverId)} failed ({code}): {output}");
    }

    [Theory]
    [MemberData(nameof(MqttServers))]
    public async Task Mosquitto_pub_without_credentials_is_refused(string serverId)
    {
        var (code, output) = await bench.InAirAsync("mosquitto_pub", [.. bench.Publish(serverId), "--cafile", bench.CaPath, "-i", Device]);
        Assert.True(code != 0, $"mosquitto_pub without credentials got through to {bench.Host(serverId)}: {output}");
        // mosquitto refuses "not authorised", MQTTnet's broker "bad user name or password".
        Assert.Contains("Connection Refused", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(MqttServers))]
    public async Task Mosquitto_pub_checking_against_another_CA_refuses_the_server(string serverId)
    {
        var (code, output) = await bench.InAirAsync("mosquitto_pub", [.. bench.Publish(serverId), "--cafile", bench.OtherCaPath, "-i", Device, "-u", Device, "-P", bench.Cloud.SecretFor(serverId)]);
        Assert.True(code != 0, $"mosquitto_pub trusting another CA accepted {bench.Host(serverId)}: {output}");
        // mosquitto_pub says "A TLS error occurred" (2.0.11) or names the failed verification (later versions).
        Assert.Contains("TLS", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MqttServers))]
    public async Task A_plain_MQTT_connection_to_the_TLS_port_fails(string serverId)
    {
        var (code, output) = await bench.InAirAsync("mosquitto_pub", [.. bench.Publish(serverId), "-i", Device, "-u", Device, "-P", bench.Cloud.SecretFor(serverId)]);
        Assert.True(code != 0, $"a plain MQTT connection to the TLS port of {bench.Host(serverId)} got through: {output}");
    }

    [Fact]
    public async Task Curl_reaches_the_HTTPS_downloads_by_name_with_the_bench_CA_and_is_refused_with_another_or_in_plain_HTTP()
    {
        var host = bench.Host("hilrig-ota");
        var port = bench.Cloud.TargetHttpGate.Port.ToString(CultureInfo.InvariantCulture);
        // A file the server does not hold: 404 proves the TLS handshake and the HTTP exchange went through.
        var url = $"https://{host}:{port}/firmware/none.hrim";
        var (code, output) = await bench.InAirAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", bench.CaPath, url]);
        Assert.True(code == 0 && output.Trim() == "404", $"curl --cacert (bench CA) {url}: exit {code}, {output}");
        (code, output) = await bench.InAirAsync("curl", ["-sS", "-o", "/dev/null", "--cacert", bench.OtherCaPath, url]);
        Assert.True(code == 60, $"curl trusting another CA: exit {code} (60 = the server's certificate is not trusted), {output}");
        (code, output) = await bench.InAirAsync("curl", ["-sS", "-o", "/dev/null", "--max-time", "10", $"http://{host}:{port}/firmware/none.hrim"]);
        Assert.True(code != 0, $"plain HTTP to the HTTPS port got an answer: {output}");
    }

    [Theory]
    [MemberData(nameof(MqttServers))]
    public async Task Openssl_s_client_verifies_each_broker_by_name_with_the_bench_CA_and_not_with_another(string serverId)
    {
        var host = bench.Host(serverId);
        var connect = $"{host}:{bench.Cloud.BrokerGate(serverId).Port.ToString(CultureInfo.InvariantCulture)}";
        var (code, output) = await bench.InAirAsync("openssl", ["s_client", "-connect", connect, "-servername", host, "-verify_hostname", host, "-CAfile", bench.CaPath, "-verify_return_error", "-brief"]);
        Assert.True(code == 0, $"openssl s_client with the bench CA: exit {code}, {output}");
        Assert.Contains("Verification: OK", output, StringComparison.Ordinal);
        (code, output) = await bench.InAirAsync("openssl", ["s_client", "-connect", connect, "-servername", host, "-CAfile", bench.OtherCaPath, "-verify_return_error", "-brief"]);
        Assert.True(code != 0, $"openssl s_client trusting another CA accepted {host}: {output}");
    }

    private const string Device = "dev-0001";

    /// <summary>A TLS bench (target server and vendor acme, embedded brokers) on a network double, with a station that holds a DHCP lease.</summary>
    public sealed class Bench : IAsyncLifetime
    {
        private readonly string _root = Directory.CreateTempSubdirectory("hilrig-air-clients-").FullName;
        private BenchTimeline? _timeline;
        private CloudBench? _cloud;
        private string? _resolvConf;

        public CloudBench Cloud => _cloud ?? throw new InvalidOperationException("the bench did not start");

        public NetworkWiring Wiring { get; } = new(new WifiWiring("hilrig-lab", "hilrig-pass", 0), Device, "sim-chain", "hilrig-ota",
            [new VendorWiring("acme", false)], BrokerWiring.Embedded)
        {
            Tls = true,
            Air = new AirWiring(AirKind.Netns, null, null, 6, null, null, 1),
            Names = new Dictionary<string, ServerName> { ["hilrig-ota"] = new("ota.hilrig.test", 0), ["acme"] = new("acme.hilrig.test", 0) },
        };

        public string CaPath { get; private set; } = "";

        public string OtherCaPath => Path.Combine(_root, "other-ca.crt");

        public string Host(string serverId) => Wiring.NameOf(serverId).Host;

        public string[] Publish(string serverId) =>
            ["-h", Host(serverId), "-p", Cloud.BrokerGate(serverId).Port.ToString(CultureInfo.InvariantCulture), "-t", CloudTopics.VendorStatus(Device), "-m", "{}", "-q", "1"];

        public async ValueTask InitializeAsync()
        {
            if (NamespaceAir.Unavailable() is not null) return;
            _timeline = new BenchTimeline(Path.Combine(_root, "timeline.ndjson"));
            var ca = BenchCertificateAuthority.LoadOrCreate(Path.Combine(_root, "ca"), "air-clients");
            CaPath = ca.CertificatePath;
            using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                var request = new CertificateRequest("CN=Some other bench CA, O=HilRig", key, HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
                using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
                await File.WriteAllTextAsync(OtherCaPath, other.ExportCertificatePem() + "\n");
            }
            var air = await BenchAirs.StartAsync("air-clients", Wiring, Path.Combine(_root, "air"), Path.Combine(_root, "air.json"), _timeline, CancellationToken.None);
            _cloud = await CloudBench.StartAsync(Wiring, _timeline, Path.Combine(_root, "brokers"), CancellationToken.None, ca, air);
            // A program run with `ip netns exec NAME` reads /etc/netns/NAME/resolv.conf as its /etc/resolv.conf: the
            // clients ask the bench's DNS, like the module.
            var name = ((NamespaceAir)air).Namespace;
            Directory.CreateDirectory(Path.Combine("/etc/netns", name));
            _resolvConf = Path.Combine("/etc/netns", name, "resolv.conf");
            await File.WriteAllTextAsync(_resolvConf, $"nameserver {air.RigAddress}\n");
            // The station's address, from dnsmasq, as the module gets it.
            var script = Path.Combine(_root, "udhcpc.sh");
            await File.WriteAllTextAsync(script, "#!/bin/sh\ncase \"$1\" in\n  bound|renew) ip addr flush dev \"$interface\"; ip addr add \"$ip/$mask\" dev \"$interface\" ;;\nesac\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (code, output) = await InAirAsync("udhcpc", ["-i", air.StationInterface!, "-f", "-q", "-n", "-t", "10", "-T", "1", "-s", script]);
            if (code != 0) throw new InvalidOperationException($"the station got no DHCP lease: {output}");
        }

        /// <summary>Runs a tool on the module's side of the air; skips when the double or the tool is missing.</summary>
        public async Task<(int Code, string Output)> InAirAsync(string tool, string[] arguments)
        {
            var why = NamespaceAir.Unavailable();
            Assert.SkipWhen(why is not null, $"the network double cannot run here: {why}");
            var path = new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            Assert.SkipWhen(path is null, $"{tool} is not installed on this machine (./setup.sh mosquitto installs mosquitto-clients, openssl and curl; ./setup.sh network udhcpc)");
            var air = Cloud.Air!;
            var info = new ProcessStartInfo(air.StationCommandPrefix[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var word in air.StationCommandPrefix.Skip(1).Append(path!).Concat(arguments)) info.ArgumentList.Add(word);
            using var process = Process.Start(info)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in 30 s");
            }
            return (process.ExitCode, await stdout + await stderr);
        }

        public async ValueTask DisposeAsync()
        {
            if (_cloud is not null) await _cloud.DisposeAsync();
            _timeline?.Dispose();
            if (_resolvConf is not null) Directory.Delete(Path.GetDirectoryName(_resolvConf)!, recursive: true);
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>The tests that run real clients in a network double, one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AirServersCollection
{
    public const string Name = "network double with servers";
}
