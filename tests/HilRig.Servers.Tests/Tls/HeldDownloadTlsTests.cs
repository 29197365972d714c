using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Servers.Mqtt;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;
using HilRig.Servers.Tls;

namespace HilRig.Servers.Tests.Tls;

/// <summary>
/// A download held at a file offset over HTTPS: the client decrypts exactly the bytes before the offset while the
/// server holds the rest, though TLS wraps them in records (the download trigger's "50% of its firmware" relies on it).
/// </summary>
public sealed class HeldDownloadTlsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hilrig-held-").FullName;
    private readonly RecordingSink _sink = new();
    private BenchCertificateAuthority _ca = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _ca = BenchCertificateAuthority.LoadOrCreate(BenchCertificateAuthority.DirectoryUnder(_root, "bench"), "bench");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_client_holds_exactly_the_bytes_before_the_offset_while_the_server_holds_the_rest()
    {
        await using var target = await TargetOtaServer.StartAsync(new TargetOtaServerOptions
        {
            Devices = new DeviceRegistry().Add("dev-a", "secret-a"),
            Tls = _ca.ServerCertificateFor("hilrig-ota", ["hilrig-ota"]),
        }, _sink.Sink, Cancel);
        var imagePath = Path.Combine(_root, "module-01-v2.1.0.hrim");
        var image = FirmwareImage.Create(0x01, FirmwareVersion.Parse("2.1.0"), Enumerable.Range(0, 66_000).Select(i => (byte)(i * 13)).ToArray()).Encode();
        await File.WriteAllBytesAsync(imagePath, image, Cancel);
        var published = await target.PublishFirmwareAsync(0x01, "2.1.0", target.Images.AddFile(imagePath), Cancel);
        Assert.StartsWith("https://", published.Url, StringComparison.Ordinal);
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = BenchTrust.Callback(_ca.Certificate, problem => Assert.Fail($"TLS: {problem}"));
        using var http = new HttpClient(handler);
        var half = image.Length / 2;

        var reached = target.HttpFaults.PauseNextDownloadAtAsync(half, TimeSpan.FromMinutes(5), Cancel);
        var response = await http.GetAsync(published.Url, HttpCompletionOption.ResponseHeadersRead, Cancel);
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        var first = new byte[half];
        await body.ReadExactlyAsync(first, Cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal("module-01-v2.1.0.hrim", await reached.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        Assert.Equal(image[..half], first);
        await body.DisposeAsync();
        response.Dispose();
        await _sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains($"→ 200, {half} bytes (fault: held at byte {half}; the connection ended while held)", StringComparison.Ordinal), "the held request's line");
    }
}
