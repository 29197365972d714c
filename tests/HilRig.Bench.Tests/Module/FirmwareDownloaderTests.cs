using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using HilRig.Bench.Module.Network;

namespace HilRig.Bench.Tests.Module;

/// <summary>
/// The module's firmware download against a scripted HTTP server: each request gets the next scripted
/// answer, and the test reads back what the downloader asked for.
/// </summary>
public sealed class FirmwareDownloaderTests : IDisposable
{
    private static readonly byte[] File = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7))];
    private static readonly string Digest = Convert.ToHexStringLower(SHA256.HashData(File));
    private readonly string _dir = Directory.CreateTempSubdirectory("hilrig-download-").FullName;
    private readonly List<string> _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class ScriptedServer(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<RangeHeaderValue?> Ranges { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Ranges.Add(request.Headers.Range);
            var answer = answers[Math.Min(Ranges.Count - 1, answers.Length - 1)];
            return Task.FromResult(answer(request));
        }
    }

    /// <summary>A body that hands out the first <paramref name="count"/> bytes of the file, then breaks.</summary>
    private sealed class BreakingStream(int count) : Stream
    {
        private int _sent;
        public override int Read(byte[] buffer, int offset, int length)
        {
            if (_sent >= count) throw new IOException("connection reset by peer");
            var n = Math.Min(length, count - _sent);
            Array.Copy(File, _sent, buffer, offset, n);
            _sent += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static HttpResponseMessage Whole(HttpRequestMessage _) => new(HttpStatusCode.OK)
    {
        Content = new ByteArrayContent(File),
        Headers = { ETag = new EntityTagHeaderValue("\"v1\"") },
    };

    private static HttpResponseMessage Rest(HttpRequestMessage request)
    {
        var from = (int)request.Headers.Range!.Ranges.Single().From!.Value;
        var response = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(File[from..]) };
        response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, File.Length - 1, File.Length);
        return response;
    }

    private async Task<byte[]> DownloadAsync(ScriptedServer server, string? digest = null)
    {
        using var http = new HttpClient(server);
        var downloader = new FirmwareDownloader(http, _log.Add);
        return await downloader.DownloadAsync("http://127.0.0.1:1/firmware/chip.hrim", digest ?? Digest, File.Length,
            Path.Combine(_dir, "chip.hrim.part"), (_, _) => { }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task DownloadAsync_TriesAgain_When_TheConnectionIsResetAsItOpens()
    {
        // HttpClient lets a bare SocketException through in this case (seen on a loaded machine).
        var server = new ScriptedServer(_ => throw new SocketException((int)SocketError.NotConnected), Whole);

        var bytes = await DownloadAsync(server);

        Assert.Equal(File, bytes);
        Assert.Equal(2, server.Ranges.Count);
        Assert.Contains(_log, line => line.Contains("attempt 1 stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_ResumesWithRange_When_TheBodyBreaksMidway()
    {
        var server = new ScriptedServer(
            _ => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new BreakingStream(4_000)),
                Headers = { ETag = new EntityTagHeaderValue("\"v1\"") },
            },
            Rest);

        var bytes = await DownloadAsync(server);

        Assert.Equal(File, bytes);
        Assert.Null(server.Ranges[0]);
        Assert.Equal(4_000, server.Ranges[1]!.Ranges.Single().From);
    }

    [Fact]
    public async Task DownloadAsync_DiscardsTheFile_When_TheDigestDiffers()
    {
        var server = new ScriptedServer(Whole);

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => DownloadAsync(server, digest: new string('0', 64)));

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Path.Combine(_dir, "chip.hrim.part")));
    }
}
