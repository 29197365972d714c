using System.Net;
using System.Text;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.TargetOta;

public sealed class AdminApiTests : TargetOtaTestBase
{
    [Fact]
    public async Task PublishFirmware_OverHttp_AnswersTheImagesUrlAndDigest()
    {
        var (path, bytes) = WriteImage(0x01, "2.1.0");
        using var admin = Server.CreateAdminClient();

        var image = await admin.PublishFirmwareAsync(0x01, "2.1.0", path, Cancel);

        Assert.Equal((0x01, "2.1.0", (long)bytes.Length), (image.ModelId, image.Version, image.SizeBytes));
        Assert.Equal(bytes, await Http.GetByteArrayAsync(image.Url, Cancel));
    }

    [Theory]
    [InlineData(0x02, "2.1.0", "holds model 0x01 version 2.1.0, not model 0x02 version 2.1.0")]
    [InlineData(0x01, "2.2.0", "holds model 0x01 version 2.1.0, not model 0x01 version 2.2.0")]
    [InlineData(0x01, "two", "version 'two' is not major.minor.patch")]
    public async Task PublishFirmware_IsRefused_When_TheFileIsNotTheNamedImage(byte modelId, string version, string reason)
    {
        var (path, _) = WriteImage(0x01, "2.1.0");
        using var admin = Server.CreateAdminClient();

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.PublishFirmwareAsync(modelId, version, path, Cancel));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishFirmware_IsRefused_When_TheFileIsNotAnImage()
    {
        var (path, _) = WriteImage(0x01, "2.1.0");
        await File.WriteAllTextAsync(path, "hello", Cancel);
        using var admin = Server.CreateAdminClient();

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.PublishFirmwareAsync(0x01, "2.1.0", path, Cancel));

        Assert.Contains("is not a valid image: image header needs 64 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUT", "admin/products/kettle/order", "{\"order\":[1,1]}", "must name each chip once")]
    [InlineData("PUT", "admin/products/kettle/order", "{garbage", "body is not a ProductOrderRequest")]
    [InlineData("POST", "admin/firmware", "", "body is not a PublishFirmwareRequest")]
    public async Task BadRequests_Are400_WithOneLine(string method, string path, string body, string reason)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("→ 400", StringComparison.Ordinal) && l.Detail.Contains(reason, StringComparison.Ordinal), "the request line");
    }

    [Fact]
    public async Task GetDevice_IsNull_ForADeviceThatNeverReported()
    {
        using var admin = Server.CreateAdminClient();
        Assert.Null(await admin.GetDeviceAsync("dev-2", Cancel));
    }
}
