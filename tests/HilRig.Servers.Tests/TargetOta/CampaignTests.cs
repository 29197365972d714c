using System.Buffers;
using System.Net;
using HilRig.Protocol.Cloud;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.TargetOta;

/// <summary>
/// Two-phase chip campaigns (docs/cloud.md §2.3). The test plays the device with a real MQTT client: it receives the
/// prepare instruction, answers "prepared" with the chips it chooses, and receives the campaign planned from them.
/// </summary>
public sealed class CampaignTests : TargetOtaTestBase
{
    // Chain order as the module reports it: chip 1 (0x11) nearest the module, chip 3 (0x13) farthest.
    private static readonly ChipVersion[] Chain = [new(0x11, "1.0.0"), new(0x12, "1.0.0"), new(0x13, "1.0.0")];

    private async Task PublishChipsAsync()
    {
        await PublishAsync(0x11, "1.1.0");
        await PublishAsync(0x12, "1.0.0"); // same as the device: not upgraded
        await PublishAsync(0x13, "1.1.0");
    }

    private static async Task<T> ReceiveAsync<T>(DeviceClient device, string topic) where T : class
    {
        var message = await device.NextMessageAsync($"a message on {topic}");
        Assert.Equal(topic, message.Topic);
        var decoded = CloudJson.TryDecode<T>(message.Payload.ToArray(), out var error);
        Assert.True(decoded is not null, $"{topic} carried no {typeof(T).Name}: {error}");
        return decoded;
    }

    private static Task<PrepareInstruction> ReceivePrepareAsync(DeviceClient device) => ReceiveAsync<PrepareInstruction>(device, "ota/dev-1/prepare");

    private static Task<CampaignInstruction> ReceiveCampaignAsync(DeviceClient device) => ReceiveAsync<CampaignInstruction>(device, "ota/dev-1/campaign");

    private static Task SendEventAsync(DeviceClient device, DeviceEvent e) => device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(e));

    /// <summary>Sends an event and waits until the server has handled it (it is kept last, after the server acted on it).</summary>
    private async Task SendEventAndWaitAsync(DeviceClient device, DeviceEvent e)
    {
        var before = Server.EventsOf("dev-1").Count;
        await SendEventAsync(device, e);
        await Server.WaitForEventAsync("dev-1", _ => Server.EventsOf("dev-1").Count > before, $"'{e.Event}' just sent", TestTimeouts.Event, Cancel);
    }

    /// <summary>The fake device's answer to the prepare: takes the prepare instruction, answers "prepared" with <paramref name="chips"/>.</summary>
    private static async Task<uint> AnswerPrepareAsync(DeviceClient device, IReadOnlyList<ChipVersion> chips)
    {
        var prepare = await ReceivePrepareAsync(device);
        await SendEventAsync(device, new DeviceEvent("prepared") { CampaignId = prepare.CampaignId, Chips = chips });
        return prepare.CampaignId;
    }

    [Fact]
    public async Task Campaign_HasTwoPhases_PrepareThenTheCampaignPlannedFromThePreparedChips()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        // The report says everything is up to date, in another order: only the chips in "prepared" count.
        await ReportAsync(device, "dev-1", "2.0.0", [new(0x13, "1.1.0"), new(0x12, "1.0.0"), new(0x11, "1.1.0")]);

        var started = await Server.StartCampaignAsync("dev-1", Cancel);

        var prepare = await ReceivePrepareAsync(device);
        Assert.Equal(started.CampaignId, prepare.CampaignId);
        var preparing = Server.GetDevice("dev-1")!;
        Assert.Equal((started.CampaignId, CampaignPhases.Preparing, true), (preparing.CampaignId, preparing.CampaignPhase, preparing.CampaignRunning));
        Assert.Null(preparing.Campaign);

        await SendEventAsync(device, new DeviceEvent("prepared") { CampaignId = prepare.CampaignId, Chips = Chain });
        var campaign = await ReceiveCampaignAsync(device);

        Assert.Equal(started.CampaignId, campaign.CampaignId);
        Assert.Equal([0x13, 0x11], campaign.Order); // far-to-near from the prepared chain order, 0x12 is current
        Assert.Equal([0x13, 0x11], campaign.Images.Select(i => i.ModelId));
        Assert.All(campaign.Images, i => Assert.Equal("1.1.0", i.Version));
        Assert.All(campaign.Images, i => Assert.StartsWith(Server.BaseUri + "firmware/", i.Url, StringComparison.Ordinal));
        var running = Server.GetDevice("dev-1")!;
        Assert.Equal((CampaignPhases.Running, campaign.CampaignId), (running.CampaignPhase, running.Campaign?.CampaignId));
        Assert.Equal(campaign.Order, running.Campaign!.Order);
        Assert.Equal(campaign.Images, running.Campaign.Images);
        Assert.Equal(Chain, running.Chips);
        Assert.Contains(Sink.Lines, l => l.Detail == $"campaign {campaign.CampaignId} for dev-1: order [0x13, 0x11]");
    }

    [Fact]
    public async Task Campaign_FarToNear_IsTheReverseOfThePreparedChainOrder()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0"); // no chips: the campaign does not need them
        await Server.StartCampaignAsync("dev-1", Cancel);

        await AnswerPrepareAsync(device, [new(0x13, "1.0.0"), new(0x12, "0.9.0"), new(0x11, "1.0.0")]);
        var campaign = await ReceiveCampaignAsync(device);

        Assert.Equal([0x11, 0x12, 0x13], campaign.Order);
        Assert.Equal(["1.1.0", "1.0.0", "1.1.0"], campaign.Images.Select(i => i.Version));
    }

    [Fact]
    public async Task Campaign_RollsANewerChipBackToThePublishedVersion()
    {
        // Differs, not only older (docs/cloud.md §2.3): chip 0x13 runs 1.2.0, the server holds 1.1.0 (1.2.0 was withdrawn).
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        await Server.StartCampaignAsync("dev-1", Cancel);

        await AnswerPrepareAsync(device, [new(0x11, "1.1.0"), new(0x12, "1.0.0"), new(0x13, "1.2.0")]);
        var campaign = await ReceiveCampaignAsync(device);

        Assert.Equal([0x13], campaign.Order);
        Assert.Equal(("1.1.0", (byte)0x13), (campaign.Images.Single().Version, campaign.Images.Single().ModelId));
        Assert.Contains(Sink.Lines, l => l.Detail == "dev-1 chip 0x13: 1.2.0 → 1.1.0, newer than the published: rolled back");
    }

    [Fact]
    public async Task Campaign_FollowsTheProductsOrder_SetOverHttp_AndAnswersItsIdOverHttp()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await admin.SetProductOrderAsync("kettle", [0x11, 0x13, 0x12], Cancel);
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", product: "kettle");

        using var adminHttp = NewAdminHttpClient();
        using var response = await adminHttp.PostAsync("admin/devices/dev-1/campaign", null, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        var id = await AnswerPrepareAsync(device, Chain);
        var campaign = await ReceiveCampaignAsync(device);

        Assert.Equal((HttpStatusCode.OK, $"{{\"campaignId\":{id}}}"), (response.StatusCode, body));
        Assert.Equal([0x11, 0x13], campaign.Order);
        var view = await admin.GetDeviceAsync("dev-1", Cancel);
        Assert.Equal((id, CampaignPhases.Running, true), (view!.CampaignId, view.CampaignPhase, view.CampaignRunning));
    }

    [Fact]
    public async Task Campaign_WithNothingToUpgrade_EndsAtOnce_WithTheServersCampaignEmptyEvent()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain); // the report's old chips do not count
        var started = await admin.StartCampaignAsync("dev-1", Cancel);

        await AnswerPrepareAsync(device, [new(0x11, "1.1.0"), new(0x12, "1.0.0"), new(0x13, "1.1.0")]);
        var empty = await Server.WaitForEventAsync("dev-1", e => e.Event == "campaign-empty", "campaign-empty", TestTimeouts.Event, Cancel);

        Assert.Equal(started.CampaignId, empty.CampaignId);
        Assert.StartsWith("nothing to upgrade: ", empty.Detail, StringComparison.Ordinal);
        Assert.Equal(["prepared", "campaign-empty"], Server.EventsOf("dev-1").Select(e => e.Event));
        var view = await admin.GetDeviceAsync("dev-1", Cancel);
        Assert.Equal((started.CampaignId, null, false, null), (view!.CampaignId, view.CampaignPhase, view.CampaignRunning, view.Campaign));
        Assert.Single(Sink.Lines, l => l.Detail.StartsWith($"campaign {started.CampaignId} for dev-1 ended: nothing to upgrade", StringComparison.Ordinal));
        // The campaign ended: a new one starts, and its prepare is the next message (no campaign was sent for the first).
        var next = await admin.StartCampaignAsync("dev-1", Cancel);
        Assert.Equal(next.CampaignId, (await ReceivePrepareAsync(device)).CampaignId);
    }

    [Fact]
    public async Task Prepared_ForAnotherCampaign_OrWithoutChips_IsIgnored()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        var started = await Server.StartCampaignAsync("dev-1", Cancel);
        var prepare = await ReceivePrepareAsync(device);
        var other = prepare.CampaignId + 7;

        await SendEventAndWaitAsync(device, new DeviceEvent("prepared") { CampaignId = other, Chips = Chain });
        await SendEventAndWaitAsync(device, new DeviceEvent("prepared") { CampaignId = prepare.CampaignId });
        var view = Server.GetDevice("dev-1")!;
        await SendEventAsync(device, new DeviceEvent("prepared") { CampaignId = prepare.CampaignId, Chips = Chain });
        var campaign = await ReceiveCampaignAsync(device); // the next message: the ignored ones sent nothing

        Assert.Equal((started.CampaignId, CampaignPhases.Preparing, null), (view.CampaignId, view.CampaignPhase, view.Campaign));
        Assert.Contains(Sink.Lines, l => l.Kind == "ota" && l.Detail == $"dev-1 prepared for campaign {other}: ignored, campaign {started.CampaignId} is preparing");
        Assert.Contains(Sink.Lines, l => l.Kind == "error" && l.Detail == $"dev-1 prepared for campaign {started.CampaignId} without chips: ignored");
        Assert.Equal(started.CampaignId, campaign.CampaignId);
        Assert.Equal([0x13, 0x11], campaign.Order);
    }

    [Fact]
    public async Task Campaign_IsRefused_WhilePreparingAndRunning_AndAllowedAfterItsCompletion()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        var first = await admin.StartCampaignAsync("dev-1", Cancel);

        var whilePreparing = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.StartCampaignAsync("dev-1", Cancel));
        await AnswerPrepareAsync(device, Chain);
        await ReceiveCampaignAsync(device);
        var whileRunning = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.StartCampaignAsync("dev-1", Cancel));
        // The chain run's own PREPARE is relayed too: it updates the chips and sends nothing.
        ChipVersion[] learned = [new(0x11, "1.0.0"), new(0x12, "1.0.0"), new(0x13, "1.1.0")];
        await SendEventAndWaitAsync(device, new DeviceEvent("prepared") { CampaignId = first.CampaignId, Chips = learned });
        await SendEventAndWaitAsync(device, new DeviceEvent("campaign-complete") { CampaignId = first.CampaignId });
        var second = await admin.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal((int)HttpStatusCode.Conflict, whilePreparing.StatusCode);
        Assert.Contains($"campaign {first.CampaignId} is running for dev-1 (preparing)", whilePreparing.Message, StringComparison.Ordinal);
        Assert.Equal((int)HttpStatusCode.Conflict, whileRunning.StatusCode);
        Assert.Contains($"campaign {first.CampaignId} is running for dev-1 (running)", whileRunning.Message, StringComparison.Ordinal);
        Assert.Equal(first.CampaignId + 1, second.CampaignId);
        Assert.Equal(second.CampaignId, (await ReceivePrepareAsync(device)).CampaignId); // no second campaign for the first
        var view = await admin.GetDeviceAsync("dev-1", Cancel);
        Assert.Equal((second.CampaignId, CampaignPhases.Preparing, null), (view!.CampaignId, view.CampaignPhase, view.Campaign));
        Assert.Equal(learned, view.Chips);
    }

    [Fact]
    public async Task PrepareRefused_EndsTheCampaign()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        var first = await Server.StartCampaignAsync("dev-1", Cancel);
        var prepare = await ReceivePrepareAsync(device);

        await SendEventAndWaitAsync(device, new DeviceEvent("prepare-refused") { CampaignId = prepare.CampaignId, Detail = "chip 0x12 busy" });
        var view = Server.GetDevice("dev-1")!;
        var second = await Server.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal((first.CampaignId, null), (view.CampaignId, view.CampaignPhase));
        Assert.Equal(first.CampaignId + 1, second.CampaignId);
        Assert.Equal(second.CampaignId, (await ReceivePrepareAsync(device)).CampaignId);
        Assert.Contains(Sink.Lines, l => l.Detail == $"dev-1 prepare-refused: campaign {first.CampaignId} ended");
    }

    [Fact]
    public async Task Campaign_IsRefused_ForADeviceThatNeverReported()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.StartCampaignAsync("dev-2", Cancel));

        Assert.Equal((int)HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("device dev-2 has not reported to the target server", error.Message, StringComparison.Ordinal);
    }
}
