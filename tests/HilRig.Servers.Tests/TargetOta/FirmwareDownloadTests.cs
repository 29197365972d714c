using System.Net;
using System.Security.Cryptography;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.TargetOta;

public sealed class FirmwareDownloadTests() : OneImageTestBase(0x12, 5000)
{
    private Task<HttpResponseMessage> GetAsync(string? range = null, string? ifRange = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, ImageUrl);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }
        if (ifRange is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        }
        return Http.SendAsync(request, Cancel);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.Single()
        : throw new Xunit.Sdk.XunitException($"no {name} header");

    [Fact]
    public async Task Get_ServesTheWholeFile_WithLengthEtagAndChecksum()
    {
        using var response = await GetAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ImageBytes, await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(ImageBytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Header(response, "Accept-Ranges"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ImageBytes)), Header(response, "X-Checksum-Sha256"));
        Assert.NotNull(response.Headers.ETag);
        Assert.StartsWith($"http://127.0.0.1:{Server.HttpPort}/firmware/", ImageUrl, StringComparison.Ordinal);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail == $"GET /firmware/model-12-v1.1.0.hrim → 200, {ImageBytes.Length} bytes", "the request line");
    }

    [Fact]
    public async Task Range_FromAnOffset_Is206_WithContentRange()
    {
        using var response = await GetAsync("bytes=1000-");

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(ImageBytes[1000..], await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal($"bytes 1000-{ImageBytes.Length - 1}/{ImageBytes.Length}", Header(response, "Content-Range"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ImageBytes)), Header(response, "X-Checksum-Sha256"));
    }

    [Fact]
    public async Task Range_PastTheEnd_Is416_WithTheSize()
    {
        using var response = await GetAsync($"bytes={ImageBytes.Length}-");

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{ImageBytes.Length}", Header(response, "Content-Range"));
    }

    [Fact]
    public async Task IfRange_WithTheCurrentEtag_HonoursTheRange_AndWithAnotherServesTheWholeFile()
    {
        using var first = await GetAsync();
        var etag = first.Headers.ETag!.ToString();

        using var resumed = await GetAsync("bytes=4000-", etag);
        using var changed = await GetAsync("bytes=4000-", "\"0123456789abcdef\"");

        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(ImageBytes[4000..], await resumed.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(ImageBytes, await changed.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Republishing_AnotherFileUnderTheSameName_ChangesTheEtag_SoIfRangeStartsOver()
    {
        using var first = await GetAsync();
        var oldEtag = first.Headers.ETag!.ToString();
        var (name, bytes) = WriteImage(0x12, "1.1.0", bodyBytes: 5000, fill: 1);
        await Server.PublishFirmwareAsync(0x12, "1.1.0", name, Cancel);

        using var resumed = await GetAsync("bytes=4000-", oldEtag);

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(bytes, await resumed.Content.ReadAsByteArrayAsync(Cancel));
        Assert.NotEqual(oldEtag, resumed.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task MalformedRange_IsIgnoredWithOneLine_AndTheWholeFileServed()
    {
        using var response = await GetAsync("bytes=zz-");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ImageBytes, await response.Content.ReadAsByteArrayAsync(Cancel));
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("ignored malformed Range header: first byte is not a number", StringComparison.Ordinal), "the malformed range line");
        Sink.AssertNoErrors();
    }

    [Fact]
    public async Task UnknownFile_Is404()
    {
        using var response = await Http.GetAsync("firmware/nothing.hrim", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
