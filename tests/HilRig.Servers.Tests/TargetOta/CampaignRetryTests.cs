using System.Buffers;
using HilRig.Protocol.Cloud;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.TargetOta;

/// <summary>The retry of a campaign that failed on a chip (docs/cloud.md §2.3, "Retry"): the same campaign, resuming at that chip.</summary>
public sealed class CampaignRetryTests : TargetOtaTestBase
{
    private static readonly ChipVersion[] Chain = [new(0x11, "1.0.0"), new(0x12, "1.0.0"), new(0x13, "1.0.0")];

    private static async Task<T> ReceiveAsync<T>(DeviceClient device, string topic) where T : class
    {
        var message = await device.NextMessageAsync($"a message on {topic}");
        Assert.Equal(topic, message.Topic);
        return CloudJson.TryDecode<T>(message.Payload.ToArray(), out var error) ?? throw new InvalidDataException($"{topic} carried no {typeof(T).Name}: {error}");
    }

    private async Task SendEventAndWaitAsync(DeviceClient device, DeviceEvent e)
    {
        var before = Server.EventsOf("dev-1").Count;
        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(e));
        await Server.WaitForEventAsync("dev-1", _ => Server.EventsOf("dev-1").Count > before, $"'{e.Event}' just sent", TestTimeouts.Event, Cancel);
    }

    /// <summary>A device whose campaign over every chip (far-to-near 0x13, 0x12, 0x11) was sent; returns it and the campaign.</summary>
    private async Task<(DeviceClient Device, CampaignInstruction Campaign)> RunningCampaignAsync()
    {
        foreach (var model in new byte[] { 0x11, 0x12, 0x13 }) await PublishAsync(model, "1.1.0");
        var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        await Server.StartCampaignAsync("dev-1", Cancel);
        var prepare = await ReceiveAsync<PrepareInstruction>(device, "ota/dev-1/prepare");
        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(new DeviceEvent("prepared") { CampaignId = prepare.CampaignId, Chips = Chain }));
        return (device, await ReceiveAsync<CampaignInstruction>(device, "ota/dev-1/campaign"));
    }

    [Fact]
    public async Task Retry_SendsTheSameCampaignResumingAtTheFailedChip_When_ItFailedOnAChip()
    {
        var (device, campaign) = await RunningCampaignAsync();
        await using var _ = device;
        await SendEventAndWaitAsync(device, new DeviceEvent("chip-complete") { CampaignId = campaign.CampaignId, Chip = 0x13, Detail = "1.1.0" });
        await SendEventAndWaitAsync(device, new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Chip = 0x12, Detail = "chip 0x12 did not complete" });
        var failed = Server.GetDevice("dev-1")!;
        Assert.Equal((byte)0x12, failed.FailedChip);
        Assert.False(failed.CampaignRunning);

        var retried = await Server.RetryCampaignAsync("dev-1", Cancel);
        var retry = await ReceiveAsync<CampaignInstruction>(device, "ota/dev-1/campaign");

        Assert.Equal(campaign.CampaignId, retried.CampaignId);
        Assert.Equal(campaign with { Attempt = 2, ResumeAt = 0x12 }, retry with { Order = campaign.Order, Images = campaign.Images });
        Assert.Equal(campaign.Order, retry.Order);
        Assert.Equal(campaign.Images, retry.Images);
        var running = Server.GetDevice("dev-1")!;
        Assert.Equal((CampaignPhases.Running, (byte?)null, 2), (running.CampaignPhase, running.FailedChip, running.Campaign!.Attempt));
        Assert.Contains(Sink.Lines, l => l.Detail == $"campaign {campaign.CampaignId} for dev-1: attempt 2, resuming at chip 0x12");
    }

    [Fact]
    public async Task Retry_IsRefused_When_TheCampaignIsRunningOrDidNotFailOnAChip()
    {
        var (device, campaign) = await RunningCampaignAsync();
        await using var _ = device;

        var running = await Assert.ThrowsAsync<TargetOtaRequestException>(() => Server.RetryCampaignAsync("dev-1", Cancel));
        await SendEventAndWaitAsync(device, new DeviceEvent("download-failed") { CampaignId = campaign.CampaignId, Detail = "SHA-256 mismatch" });
        await SendEventAndWaitAsync(device, new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Detail = "SHA-256 mismatch" });
        var noChip = await Assert.ThrowsAsync<TargetOtaRequestException>(() => Server.RetryCampaignAsync("dev-1", Cancel));
        var unknown = await Assert.ThrowsAsync<TargetOtaRequestException>(() => Server.RetryCampaignAsync("dev-9", Cancel));

        Assert.Equal(TargetOtaRequestException.Conflict, running.StatusCode);
        Assert.Equal(TargetOtaRequestException.Conflict, noChip.StatusCode);
        Assert.Contains("did not fail on a chip", noChip.Message, StringComparison.Ordinal);
        Assert.Equal(TargetOtaRequestException.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Retry_EndsOnTheServer_When_TheModuleRefusesIt()
    {
        var (device, campaign) = await RunningCampaignAsync();
        await using var _ = device;
        await SendEventAndWaitAsync(device, new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Chip = 0x12 });
        await Server.RetryCampaignAsync("dev-1", Cancel);

        await SendEventAndWaitAsync(device, new DeviceEvent("retry-refused") { CampaignId = campaign.CampaignId, Detail = "the module holds no failure of the campaign to resume" });

        Assert.False(Server.GetDevice("dev-1")!.CampaignRunning);
    }

    [Fact]
    public async Task NewCampaign_ForgetsTheFailedChip()
    {
        var (device, campaign) = await RunningCampaignAsync();
        await using var _ = device;
        await SendEventAndWaitAsync(device, new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Chip = 0x12 });

        await Server.StartCampaignAsync("dev-1", Cancel);

        Assert.Null(Server.GetDevice("dev-1")!.FailedChip);
        await Assert.ThrowsAsync<TargetOtaRequestException>(() => Server.RetryCampaignAsync("dev-1", Cancel));
    }
}
