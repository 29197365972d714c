using System.Diagnostics;
using HilRig.Protocol.Cloud;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Servers.Mqtt;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;
using HilRig.Servers.Tls;
using HilRig.Servers.Vendor;

namespace HilRig.Servers.Tests.Tls;

/// <summary>
/// The TLS servers against the real clients a firmware team uses (mosquitto_pub, openssl s_client, curl): with the
/// bench CA and the device's credentials they get through; without credentials, with another CA, or in plain text
/// they are refused. Each test skips, with the reason, when its client is not installed.
/// </summary>
public sealed class RealClientTlsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hilrig-tls-").FullName;
    private readonly RecordingSink _sink = new();
    private BenchCertificateAuthority _ca = null!;
    private string _otherCaFile = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _ca = BenchCertificateAuthority.LoadOrCreate(BenchCertificateAuthority.DirectoryUnder(_root, "bench"), "bench");
        _otherCaFile = BenchCertificateAuthority.LoadOrCreate(BenchCertificateAuthority.DirectoryUnder(_root, "other"), "other").CertificatePath;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    public static TheoryData<string> Brokers => new() { "embedded", "mosquitto" };

    private async Task<(IDeviceBroker Broker, IAsyncDisposable Owner)> StartBrokerAsync(string kind)
    {
        var devices = new DeviceRegistry().Add("dev-a", "secret-a");
        var tls = _ca.ServerCertificateFor("acme", ["acme"]);
        if (kind == "embedded")
        {
            var vendor = await VendorServer.StartAsync(new VendorServerOptions { ServerId = "acme", Devices = devices, Tls = tls }, _sink.Sink, Cancel);
            return (vendor.Broker, vendor);
        }
        Assert.SkipWhen(MosquittoBroker.FindBinary() is null, "mosquitto is not installed on this machine; ./setup.sh mosquitto installs it");
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
        {
            Name = "vendor:acme", Devices = devices, Acl = DeviceTopicAcl.Vendor, WorkDirectory = Path.Combine(_root, "mosquitto"), Tls = tls,
        }, _sink.Sink, Cancel);
        return (broker, broker);
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var path = new[] { "/usr/bin", "/usr/local/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        Assert.SkipWhen(path is null, $"{tool} is not installed on this machine (apt-get install -y mosquitto-clients openssl curl; ./setup.sh mosquitto installs them)");
        var info = new ProcessStartInfo(path!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in 30 s");
        }
        return (process.ExitCode, await output + await error);
    }

    private static string[] Publish(IDeviceBroker broker, params string[] extra) =>
        ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", CloudTopics.VendorStatus("dev-a"), "-m", "{}", "-q", "1", .. extra];

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Mosquitto_pub_with_the_bench_CA_and_the_device_credentials_gets_through(string kind)
    {
        var (broker, owner) = await StartBrokerAsync(kind);
        await using var _ = owner;
        var received = new TaskCompletionSource<BrokerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.AddHandler(CloudTopics.VendorStatus("+"), m => { received.TrySetResult(m); return Task.CompletedTask; });
        var (code, output) = await RunAsync("mosquitto_pub", Publish(broker, "--cafile", _ca.CertificatePath, "-i", "dev-a", "-u", "dev-a", "-P", "secret-a"));
        Assert.True(code == 0, $"mosquitto_pub exited {code}: {output}");
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        Assert.Equal(CloudTopics.VendorStatus("dev-a"), message.Topic);
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Mosquitto_pub_without_credentials_is_refused(string kind)
    {
        var (broker, owner) = await StartBrokerAsync(kind);
        await using var _ = owner;
        var (code, output) = await RunAsync("mosquitto_pub", Publish(broker, "--cafile", _ca.CertificatePath, "-i", "dev-a"));
        Assert.True(code != 0, $"mosquitto_pub without credentials got through: {output}");
        // mosquitto refuses "not authorised", MQTTnet's broker "bad user name or password".
        Assert.Contains("Connection Refused", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Mosquitto_pub_checking_against_another_CA_refuses_the_broker(string kind)
    {
        var (broker, owner) = await StartBrokerAsync(kind);
        await using var _ = owner;
        var (code, output) = await RunAsync("mosquitto_pub", Publish(broker, "--cafile", _otherCaFile, "-i", "dev-a", "-u", "dev-a", "-P", "secret-a"));
        Assert.True(code != 0, $"mosquitto_pub trusting another CA got through: {output}");
        // mosquitto_pub says "A TLS error occurred" (2.0.11) or names the failed verification (later versions).
        Assert.Contains("TLS", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task A_plain_MQTT_connection_to_the_TLS_port_fails(string kind)
    {
        var (broker, owner) = await StartBrokerAsync(kind);
        await using var _ = owner;
        var (code, output) = await RunAsync("mosquitto_pub", Publish(broker, "-i", "dev-a", "-u", "dev-a", "-P", "secret-a"));
        Assert.True(code != 0, $"a plain MQTT client got through to the TLS port: {output}");
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Openssl_s_client_verifies_the_broker_with_the_bench_CA_and_not_with_another(string kind)
    {
        var (broker, owner) = await StartBrokerAsync(kind);
        await using var _ = owner;
        var connect = $"127.0.0.1:{broker.Port}";
        var (good, goodOutput) = await RunAsync("openssl", "s_client", "-connect", connect, "-verify_return_error", "-verify_ip", "127.0.0.1", "-CAfile", _ca.CertificatePath, "-brief");
        Assert.True(good == 0, $"openssl s_client with the bench CA failed ({good}): {goodOutput}");
        Assert.Contains("Verification: OK", goodOutput, StringComparison.Ordinal);
        var (bad, badOutput) = await RunAsync("openssl", "s_client", "-connect", connect, "-verify_return_error", "-CAfile", _otherCaFile, "-brief");
        Assert.True(bad != 0, $"openssl s_client trusting another CA accepted the broker: {badOutput}");
    }

    [Fact]
    public async Task Curl_downloads_an_image_over_HTTPS_with_the_bench_CA_and_is_refused_without_it_or_in_plain_HTTP()
    {
        await using var target = await TargetOtaServer.StartAsync(new TargetOtaServerOptions
        {
            Devices = new DeviceRegistry().Add("dev-a", "secret-a"),
            Tls = _ca.ServerCertificateFor("hilrig-ota", ["hilrig-ota"]),
        }, _sink.Sink, Cancel);
        var imagePath = Path.Combine(_root, "chip-11-v1.1.0.hrim");
        var image = FirmwareImage.Create(0x11, FirmwareVersion.Parse("1.1.0"), Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray()).Encode();
        await File.WriteAllBytesAsync(imagePath, image, Cancel);
        var published = await target.PublishFirmwareAsync(0x11, "1.1.0", target.Images.AddFile(imagePath), Cancel);
        Assert.StartsWith($"https://127.0.0.1:{target.DownloadPort}/", published.Url, StringComparison.Ordinal);
        Assert.NotEqual(target.HttpPort, target.DownloadPort);

        var saved = Path.Combine(_root, "downloaded.hrim");
        var (code, output) = await RunAsync("curl", "--silent", "--show-error", "--fail", "--cacert", _ca.CertificatePath, "-o", saved, published.Url);
        Assert.True(code == 0, $"curl --cacert failed ({code}): {output}");
        Assert.Equal(image, await File.ReadAllBytesAsync(saved, Cancel));

        var (withoutCa, withoutOutput) = await RunAsync("curl", "--silent", "--show-error", "--fail", "-o", "/dev/null", published.Url);
        Assert.True(withoutCa == 60, $"curl without the bench CA exited {withoutCa} (60: peer certificate cannot be authenticated): {withoutOutput}");
        var (otherCa, otherOutput) = await RunAsync("curl", "--silent", "--show-error", "--fail", "--cacert", _otherCaFile, "-o", "/dev/null", published.Url);
        Assert.True(otherCa == 60, $"curl trusting another CA exited {otherCa}: {otherOutput}");
        var plainUrl = published.Url.Replace("https://", "http://", StringComparison.Ordinal);
        var (plain, plainOutput) = await RunAsync("curl", "--silent", "--show-error", "--fail", "-o", "/dev/null", plainUrl);
        Assert.True(plain != 0, $"plain HTTP to the HTTPS port got an answer: {plainOutput}");
        // The admin API stays plain HTTP on loopback, on its own port.
        var (admin, adminOutput) = await RunAsync("curl", "--silent", "--show-error", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{target.HttpPort}/firmware/chip-11-v1.1.0.hrim");
        Assert.True(admin == 0 && adminOutput.Trim() == "404", $"the admin port served a download (curl {admin}, HTTP {adminOutput.Trim()})");
    }

    [Fact]
    public async Task Openssl_s_client_verifies_the_HTTPS_download_port_with_the_bench_CA_and_not_with_another()
    {
        await using var target = await TargetOtaServer.StartAsync(new TargetOtaServerOptions
        {
            Devices = new DeviceRegistry().Add("dev-a", "secret-a"),
            Tls = _ca.ServerCertificateFor("hilrig-ota", ["hilrig-ota"]),
        }, _sink.Sink, Cancel);
        var connect = $"127.0.0.1:{target.DownloadPort}";
        var (good, goodOutput) = await RunAsync("openssl", "s_client", "-connect", connect, "-verify_return_error", "-verify_hostname", "hilrig-ota", "-CAfile", _ca.CertificatePath, "-brief");
        Assert.True(good == 0, $"openssl s_client with the bench CA failed ({good}): {goodOutput}");
        var (bad, badOutput) = await RunAsync("openssl", "s_client", "-connect", connect, "-verify_return_error", "-CAfile", _otherCaFile, "-brief");
        Assert.True(bad != 0, $"openssl s_client trusting another CA accepted the server: {badOutput}");
    }
}
