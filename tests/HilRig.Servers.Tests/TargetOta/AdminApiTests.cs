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
        var (name, bytes) = WriteImage(0x01, "2.1.0");
        using var admin = Server.CreateAdminClient();

        var image = await admin.PublishFirmwareAsync(0x01, "2.1.0", name, Cancel);

        Assert.Equal((0x01, "2.1.0", (long)bytes.Length), (image.ModelId, image.Version, image.SizeBytes));
        Assert.Equal(bytes, await Http.GetByteArrayAsync(image.Url, Cancel));
    }

    [Fact]
    public async Task PublishFirmware_PublishesTheBytesOffered_NotWhatTheFileHoldsLater()
    {
        var (name, bytes) = WriteImage(0x01, "2.1.0");
        await File.WriteAllTextAsync(Path.Combine(ImageDirectory, name), "changed after it was offered", Cancel);
        using var admin = Server.CreateAdminClient();

        var image = await admin.PublishFirmwareAsync(0x01, "2.1.0", name, Cancel);

        Assert.Equal(bytes, await Http.GetByteArrayAsync(image.Url, Cancel));
    }

    [Theory]
    [InlineData(0x02, "2.1.0", "holds model 0x01 version 2.1.0, not model 0x02 version 2.1.0")]
    [InlineData(0x01, "2.2.0", "holds model 0x01 version 2.1.0, not model 0x01 version 2.2.0")]
    [InlineData(0x01, "two", "field 'version': 'two' is not major.minor.patch")]
    public async Task PublishFirmware_IsRefused_When_TheImageIsNotTheNamedModelAndVersion(byte modelId, string version, string reason)
    {
        var (name, _) = WriteImage(0x01, "2.1.0");
        using var admin = Server.CreateAdminClient();

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.PublishFirmwareAsync(modelId, version, name, Cancel));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishFirmware_IsRefused_When_TheOfferedBytesAreNotAnImage()
    {
        Server.Images.Add("hello.hrim", "hello"u8);
        using var admin = Server.CreateAdminClient();

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.PublishFirmwareAsync(0x01, "2.1.0", "hello.hrim", Cancel));

        Assert.Contains("image 'hello.hrim' is not a valid image: image header needs 64 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../x")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("images/../../etc/passwd")]
    [InlineData("C:\\\\Windows\\\\win.ini")]
    [InlineData("a\\u0000b")]
    [InlineData("file:///etc/passwd")]
    public async Task PublishFirmware_RefusesAPath_With400NamingTheField_AndNeverReadsOrEchoesIt(string jsonString)
    {
        WriteImage(0x01, "2.1.0");
        using var http = NewAdminHttpClient();

        var (status, body) = await PostAsync(http, "admin/firmware", $"{{\"modelId\":1,\"version\":\"2.1.0\",\"image\":\"{jsonString}\"}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("field 'image' is not an image name", body, StringComparison.Ordinal);
        Assert.Contains("model-01-v2.1.0.hrim", body, StringComparison.Ordinal);
        AssertNoPathIn(body);
    }

    [Theory]
    [InlineData("{\"modelId\":1,\"version\":\"2.1.0\",\"file\":\"/etc/passwd\"}", "field 'image' is missing")]
    [InlineData("{\"modelId\":1,\"version\":\"2.1.0\",\"image\":\"passwd\"}", "field 'image': the server was given no image named 'passwd' (it has: model-01-v2.1.0.hrim)")]
    [InlineData("{\"modelId\":1,\"image\":\"model-01-v2.1.0.hrim\"}", "field 'version' is missing")]
    [InlineData("{\"order\":null}", "field 'image' is missing")]
    public async Task PublishFirmware_NamesTheField_When_ItIsMissingOrUnknown(string json, string reason)
    {
        WriteImage(0x01, "2.1.0");
        using var http = NewAdminHttpClient();

        var (status, body) = await PostAsync(http, "admin/firmware", json);

        Assert.Equal((HttpStatusCode.BadRequest, true), (status, body.Contains(reason, StringComparison.Ordinal)));
        AssertNoPathIn(body);
    }

    [Theory]
    [InlineData("POST", "admin/firmware")]
    [InlineData("PUT", "admin/products/kettle/order")]
    [InlineData("POST", "admin/devices/dev-1/campaign")]
    [InlineData("GET", "admin/devices/dev-1")]
    [InlineData("GET", "ADMIN/devices/dev-1")]
    [InlineData("POST", "Admin/Firmware")]
    [InlineData("GET", "admin")]
    [InlineData("DELETE", "firmware/model-01-v2.1.0.hrim")]
    public async Task EveryAdminCall_Is401_WithoutTheSecretOrWithAWrongOne(string method, string path)
    {
        var (name, _) = WriteImage(0x01, "2.1.0");
        var body = $"{{\"modelId\":1,\"version\":\"2.1.0\",\"image\":\"{name}\",\"order\":[17]}}";
        using var wrong = NewHttpClient();
        wrong.DefaultRequestHeaders.Add("X-HilRig-Admin-Secret", Server.AdminSecret[..^1] + (Server.AdminSecret[^1] == '0' ? '1' : '0'));

        var (without, withoutBody) = await SendAsync(Http, method, path, body);
        var (withWrong, _) = await SendAsync(wrong, method, path, body);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (without, withWrong));
        Assert.Contains("X-HilRig-Admin-Secret", withoutBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.AdminSecret, withoutBody, StringComparison.Ordinal);
        using var admin = Server.CreateAdminClient();
        Assert.Null(await admin.GetDeviceAsync("dev-1", Cancel));
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetByteArrayAsync($"firmware/{name}", Cancel));
    }

    [Fact]
    public async Task Downloads_NeedNoSecret_AndTheSecretNeverReachesTheTimeline()
    {
        var (name, bytes) = WriteImage(0x01, "2.1.0");
        using var admin = Server.CreateAdminClient();
        var image = await admin.PublishFirmwareAsync(0x01, "2.1.0", name, Cancel);
        await admin.SetProductOrderAsync("kettle", [0x11], Cancel);

        Assert.Equal(bytes, await Http.GetByteArrayAsync(image.Url, Cancel));
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.StartsWith("GET /firmware/", StringComparison.Ordinal), "the download's line");
        Assert.DoesNotContain(Sink.Lines, l => l.Detail.Contains(Server.AdminSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryAdminCall_Is403_FromAnAddressThatIsNotLoopback_EvenWithTheSecret()
    {
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.SkipWhen(address is null, "this machine has no IPv4 address besides loopback to come from");
        await using var server = await TargetOtaServer.StartAsync(new TargetOtaServerOptions
        {
            Devices = new HilRig.Servers.Mqtt.DeviceRegistry().Add("dev-1", "s1"),
            ListenAddress = IPAddress.Any,
        }, Sink.Sink, Cancel);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{address}:{server.HttpPort}/") };
        http.DefaultRequestHeaders.Add("X-HilRig-Admin-Secret", server.AdminSecret);

        var (status, body) = await SendAsync(http, "GET", "admin/devices/dev-1", "");
        using var fromLoopback = server.CreateAdminClient();

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("loopback clients only", body, StringComparison.Ordinal);
        Assert.Null(await fromLoopback.GetDeviceAsync("dev-1", Cancel));
    }

    [Fact]
    public async Task EachServer_HasItsOwnSecret_AndRefusesAnothersSecret()
    {
        await using var other = await TargetOtaServer.StartAsync(new TargetOtaServerOptions { Devices = new HilRig.Servers.Mqtt.DeviceRegistry() }, Sink.Sink, Cancel);
        using var http = NewHttpClient();
        http.DefaultRequestHeaders.Add("X-HilRig-Admin-Secret", other.AdminSecret);

        var (status, _) = await SendAsync(http, "GET", "admin/devices/dev-1", "");

        Assert.Matches("^[0-9a-f]{64}$", Server.AdminSecret);
        Assert.NotEqual(Server.AdminSecret, other.AdminSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("PUT", "admin/products/kettle/order", "{\"order\":[1,1]}", "must name each chip once")]
    [InlineData("PUT", "admin/products/kettle/order", "{}", "field 'order' is missing")]
    [InlineData("PUT", "admin/products/kettle/order", "{garbage", "body is not a ProductOrderRequest")]
    [InlineData("POST", "admin/firmware", "", "body is not a PublishFirmwareRequest")]
    [InlineData("POST", "admin/firmware", "{\"modelId\":300}", "body is not a PublishFirmwareRequest")]
    public async Task BadRequests_Are400_WithOneLine(string method, string path, string body, string reason)
    {
        using var http = NewAdminHttpClient();

        var (status, answer) = await SendAsync(http, method, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, answer, StringComparison.Ordinal);
        await Sink.WaitForAsync(l => l.Kind == "http" && l.Detail.Contains("→ 400", StringComparison.Ordinal) && l.Detail.Contains(reason, StringComparison.Ordinal), "the request line");
    }

    [Fact]
    public async Task GetDevice_IsNull_ForADeviceThatNeverReported()
    {
        using var admin = Server.CreateAdminClient();
        Assert.Null(await admin.GetDeviceAsync("dev-2", Cancel));
    }

    private static Task<(HttpStatusCode, string)> PostAsync(HttpClient http, string path, string json) => SendAsync(http, "POST", path, json);

    private static async Task<(HttpStatusCode, string)> SendAsync(HttpClient http, string method, string path, string body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is not "GET")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, Cancel);
        var bytes = await response.Content.ReadAsByteArrayAsync(Cancel);
        // Refusals are {"error": "..."}; the JSON escapes quotes, so compare the decoded line (and keep any other body raw).
        return (response.StatusCode, Protocol.Cloud.CloudJson.TryDecode<AdminError>(bytes, out _)?.Error ?? Encoding.UTF8.GetString(bytes));
    }

    private static void AssertNoPathIn(string body)
    {
        Assert.DoesNotContain("/etc", body, StringComparison.Ordinal);
        Assert.DoesNotContain("passwd\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), body, StringComparison.Ordinal);
        Assert.DoesNotContain("..", body, StringComparison.Ordinal);
    }
}
