using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.Faults;

public sealed class HttpFaultsTests() : OneImageTestBase(0x13, 20_000)
{
    private async Task<HttpStatusCode> StatusAsync()
    {
        using var response = await Http.GetAsync(ImageUrl, Cancel);
        return response.StatusCode;
    }

    [Fact]
    public async Task FailNextRequests_Answers500_ThatManyTimes()
    {
        Server.HttpFaults.FailNextRequests(2);

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK],
            [await StatusAsync(), await StatusAsync(), await StatusAsync()]);
        Assert.Contains(Sink.Lines, l => l.Kind == "fault" && l.Detail == "HTTP 500 for the next 2 firmware request(s)");
    }

    [Fact]
    public async Task FailFor_Answers500_UntilTheDurationHasPassed()
    {
        Server.HttpFaults.FailFor(TimeSpan.FromSeconds(30));
        var during = await StatusAsync();
        Time.Advance(TimeSpan.FromSeconds(29));
        var stillDuring = await StatusAsync();
        Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK), (during, stillDuring, await StatusAsync()));
    }

    [Fact]
    public async Task Failures_DoNotTouchTheAdminApi()
    {
        Server.HttpFaults.FailNextRequests(1);
        using var admin = Server.CreateAdminClient();

        Assert.Null(await admin.GetDeviceAsync("dev-1", Cancel));
        Assert.Equal(HttpStatusCode.InternalServerError, await StatusAsync());
    }

    [Fact]
    public async Task TruncateNextDownloadAt_ClosesTheConnectionAtThatByte_Once()
    {
        Server.HttpFaults.TruncateNextDownloadAt(8000);

        using var response = await Http.GetAsync(ImageUrl, HttpCompletionOption.ResponseHeadersRead, Cancel);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var received = new MemoryStream();
        var error = await Record.ExceptionAsync(() => body.CopyToAsync(received, Cancel));

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(ImageBytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal(ImageBytes[..8000], received.ToArray());
        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel));
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("→ 200, 8000 bytes (fault: connection closed at byte 8000)", StringComparison.Ordinal), "the cut request's line");
    }

    [Fact]
    public async Task TruncateNextDownloadAt_CountsFileOffsets_InARangedRequest()
    {
        Server.HttpFaults.TruncateNextDownloadAt(8000);
        using var request = new HttpRequestMessage(HttpMethod.Get, ImageUrl);
        request.Headers.TryAddWithoutValidation("Range", "bytes=5000-");

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<IOException>(async () => await (await response.Content.ReadAsStreamAsync(Cancel)).CopyToAsync(received, Cancel));

        Assert.Equal(ImageBytes[5000..8000], received.ToArray());
    }

    [Fact]
    public async Task TruncateNextDownloadAt_AnOffsetBeforeTheRange_ClosesTheConnectionWithNoBodyByte()
    {
        Server.HttpFaults.TruncateNextDownloadAt(100);
        using var request = new HttpRequestMessage(HttpMethod.Get, ImageUrl);
        request.Headers.TryAddWithoutValidation("Range", "bytes=5000-");
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        giveUp.CancelAfter(TestTimeouts.Event);

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, giveUp.Token);
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<IOException>(async () => await (await response.Content.ReadAsStreamAsync(giveUp.Token)).CopyToAsync(received, giveUp.Token));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(0, received.Length);
    }

    [Fact]
    public async Task PauseNextDownloadAt_SendsTheBytesBeforeTheOffset_AndHoldsTheRestUntilTheConnectionIsGone()
    {
        var reached = Server.HttpFaults.PauseNextDownloadAtAsync(8000, TimeSpan.FromMinutes(5), Cancel);

        var response = await Http.GetAsync(ImageUrl, HttpCompletionOption.ResponseHeadersRead, Cancel);
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        var first = new byte[8000];
        await body.ReadExactlyAsync(first, Cancel).AsTask().WaitAsync(TestTimeouts.Event, Cancel);

        Assert.Equal(Path.GetFileName(new Uri(ImageUrl).AbsolutePath), await reached.WaitAsync(TestTimeouts.Event, Cancel));
        Assert.Equal(ImageBytes[..8000], first);
        // The client goes away while held: the server stops there instead of holding for the whole five minutes.
        await body.DisposeAsync();
        response.Dispose();
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("fault: held at byte 8000; the connection ended while held", StringComparison.Ordinal), "the held request's line");
        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel));
    }

    [Fact]
    public async Task PauseNextDownloadAt_SendsTheRest_WhenTheHoldHasPassed()
    {
        var reached = Server.HttpFaults.PauseNextDownloadAtAsync(8000, TimeSpan.Zero, Cancel);

        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel));
        Assert.True(reached.IsCompletedSuccessfully);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains($"→ 200, {ImageBytes.Length} bytes (fault: held at byte 8000)", StringComparison.Ordinal), "the held request's line");
    }

    [Fact]
    public async Task PauseNextDownloadAt_WaitsForADownloadThatCarriesTheOffset_CountingFileOffsets()
    {
        var reached = Server.HttpFaults.PauseNextDownloadAtAsync(8000, TimeSpan.Zero, Cancel);
        using var past = new HttpRequestMessage(HttpMethod.Get, ImageUrl);
        past.Headers.TryAddWithoutValidation("Range", "bytes=9000-");
        using var pastResponse = await Http.SendAsync(past, Cancel);
        Assert.Equal(ImageBytes[9000..], await pastResponse.Content.ReadAsByteArrayAsync(Cancel));
        Assert.False(reached.IsCompleted, "a range that starts after the offset took the pause");

        using var ranged = new HttpRequestMessage(HttpMethod.Get, ImageUrl);
        ranged.Headers.TryAddWithoutValidation("Range", "bytes=5000-");
        using var response = await Http.SendAsync(ranged, Cancel);

        Assert.Equal(ImageBytes[5000..], await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.True(reached.IsCompletedSuccessfully);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("Range: bytes=5000-", StringComparison.Ordinal) && l.Detail.Contains("fault: held at byte 8000", StringComparison.Ordinal), "the ranged request's line");
    }

    [Fact]
    public async Task PauseNextDownloadAt_Cancelled_IsWithdrawn()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var reached = Server.HttpFaults.PauseNextDownloadAtAsync(8000, TimeSpan.FromMinutes(5), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reached);
        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel).WaitAsync(TestTimeouts.Event, Cancel));
    }

    [Fact]
    public async Task CorruptNextDownloads_ServesBytesThatFailTheChecksum_Once()
    {
        Server.HttpFaults.CorruptNextDownloads();

        using var corrupt = await Http.GetAsync(ImageUrl, Cancel);
        var corruptBytes = await corrupt.Content.ReadAsByteArrayAsync(Cancel);
        var advertised = corrupt.Headers.GetValues("X-Checksum-Sha256").Single();

        Assert.Equal(ImageBytes.Length, corruptBytes.Length);
        Assert.NotEqual(advertised, Convert.ToHexStringLower(SHA256.HashData(corruptBytes)));
        Assert.Equal(1, ImageBytes.Zip(corruptBytes).Count(p => p.First != p.Second));
        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel));
    }

    [Fact]
    public async Task ServeWrongChecksum_SendsAWellFormedWrongDigest_WithIntactBytes_Once()
    {
        Server.HttpFaults.ServeWrongChecksumOnNextDownloads();
        var trueDigest = Convert.ToHexStringLower(SHA256.HashData(ImageBytes));

        using var wrong = await Http.GetAsync(ImageUrl, Cancel);
        using var right = await Http.GetAsync(ImageUrl, Cancel);

        Assert.Equal(ImageBytes, await wrong.Content.ReadAsByteArrayAsync(Cancel));
        var wrongDigest = wrong.Headers.GetValues("X-Checksum-Sha256").Single();
        Assert.Matches("^[0-9a-f]{64}$", wrongDigest);
        Assert.NotEqual(trueDigest, wrongDigest);
        Assert.Equal(trueDigest, right.Headers.GetValues("X-Checksum-Sha256").Single());
    }

    [Fact]
    public async Task Clear_TurnsEverySwitchOff()
    {
        Server.HttpFaults.FailNextRequests(5);
        Server.HttpFaults.CorruptNextDownloads(5);
        Server.HttpFaults.Clear();

        Assert.Equal(ImageBytes, await Http.GetByteArrayAsync(ImageUrl, Cancel));
    }

    [Fact]
    public async Task RefuseConnections_StopsListening_ThenListensAgainOnTheSamePort()
    {
        var port = Server.HttpPort;

        var refusing = Server.HttpFaults.RefuseConnectionsAsync(TimeSpan.FromSeconds(2), Cancel);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail == $"stopped listening on port {port}", "the HTTP server stopping");
        using (var during = NewHttpClient())
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => during.GetAsync(ImageUrl, Cancel));
            Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        }
        await refusing;

        using var after = NewHttpClient();
        Assert.Equal(port, Server.HttpPort);
        Assert.Equal(ImageBytes, await after.GetByteArrayAsync(ImageUrl, Cancel));
    }
}
