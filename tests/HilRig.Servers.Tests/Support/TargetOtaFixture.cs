using HilRig.Protocol.Cloud;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Servers.Mqtt;
using HilRig.Servers.TargetOta;

namespace HilRig.Servers.Tests.Support;

/// <summary>A target server on loopback port 0 with two known devices, image files in a temporary directory, torn down after each test.</summary>
public abstract class TargetOtaTestBase : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-target-").FullName;

    /// <summary>Where <see cref="WriteImage"/> writes its files.</summary>
    protected string ImageDirectory => _directory;

    protected RecordingSink Sink { get; } = new();
    protected ManualClock Time { get; } = new();
    protected TargetOtaServer Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;
    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Server = await TargetOtaServer.StartAsync(new TargetOtaServerOptions
        {
            Devices = new DeviceRegistry().Add("dev-1", "s1").Add("dev-2", "s2"),
            Time = Time,
        }, Sink.Sink, Cancel);
        Http = NewHttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    protected HttpClient NewHttpClient() => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Server.BaseUri };

    /// <summary>A plain HTTP client that sends the server's admin secret, as the rig's own callers do.</summary>
    protected HttpClient NewAdminHttpClient()
    {
        var client = NewHttpClient();
        client.DefaultRequestHeaders.Add("X-HilRig-Admin-Secret", Server.AdminSecret);
        return client;
    }

    /// <summary>Writes a valid image file, gives it to the server's image catalogue, and returns its name there and its bytes.</summary>
    protected (string Name, byte[] Bytes) WriteImage(byte modelId, string version, int bodyBytes = 3000, string? fileName = null, byte fill = 0)
    {
        var body = Enumerable.Range(0, bodyBytes).Select(i => (byte)(i * 7 + modelId + fill)).ToArray();
        var bytes = FirmwareImage.Create(modelId, FirmwareVersion.Parse(version), body).Encode();
        var path = System.IO.Path.Combine(_directory, fileName ?? $"model-{modelId:X2}-v{version}.hrim");
        File.WriteAllBytes(path, bytes);
        return (Server.Images.AddFile(path), bytes);
    }

    protected async Task<CampaignImage> PublishAsync(byte modelId, string version, int bodyBytes = 3000)
    {
        var (name, _) = WriteImage(modelId, version, bodyBytes);
        return await Server.PublishFirmwareAsync(modelId, version, name, Cancel);
    }

    /// <summary>Connects a device subscribed to its instruction, prepare and campaign topics.</summary>
    protected async Task<DeviceClient> ConnectDeviceAsync(string deviceId = "dev-1")
    {
        var device = await DeviceClient.ConnectAsync(Server.Broker.Port, deviceId, deviceId == "dev-1" ? "s1" : "s2");
        await device.SubscribeAsync(CloudTopics.OtaInstruction(deviceId));
        await device.SubscribeAsync(CloudTopics.OtaPrepare(deviceId));
        await device.SubscribeAsync(CloudTopics.OtaCampaign(deviceId));
        return device;
    }

    /// <summary>Publishes a report and waits until the server has handled it (and sent what it decided).</summary>
    protected async Task ReportAsync(DeviceClient device, string deviceId, string moduleVersion, IReadOnlyList<ChipVersion>? chips = null, string reason = "connect", string product = "kettle")
    {
        var handledBefore = Server.ReportsOf(deviceId).Count;
        var report = new DeviceReport(deviceId, product, new ModuleFirmware(moduleVersion, "A"), "acme", chips, reason);
        await device.PublishAsync(CloudTopics.OtaReport(deviceId), CloudJson.Encode(report));
        await Server.WaitForReportAsync(deviceId, _ => Server.ReportsOf(deviceId).Count > handledBefore, "the report just sent", TestTimeouts.Event, Cancel);
    }
}
