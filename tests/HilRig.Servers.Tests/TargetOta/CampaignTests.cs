using System.Buffers;
using System.Net;
using HilRig.Protocol.Cloud;
using HilRig.Servers.TargetOta;
using HilRig.Servers.Tests.Support;

namespace HilRig.Servers.Tests.TargetOta;

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

    [Fact]
    public async Task Campaign_UpgradesOnlyDifferingChips_FarToNear_AndReachesTheDevice()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);

        var campaign = await Server.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal([0x13, 0x11], campaign.Order);
        Assert.Equal([0x13, 0x11], campaign.Images.Select(i => i.ModelId));
        Assert.All(campaign.Images, i => Assert.Equal("1.1.0", i.Version));
        var message = await device.NextMessageAsync("the campaign");
        Assert.Equal("ota/dev-1/campaign", message.Topic);
        var received = CloudJson.TryDecode<CampaignInstruction>(message.Payload.ToArray(), out _)!;
        Assert.Equal(campaign.CampaignId, received.CampaignId);
        Assert.Equal(campaign.Order, received.Order);
        Assert.Equal(campaign.Images, received.Images);
    }

    [Fact]
    public async Task Campaign_LeavesANewerChipAlone()
    {
        await PublishChipsAsync();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", [new(0x11, "1.0.0"), new(0x12, "1.0.0"), new(0x13, "1.2.0")]);

        var campaign = await Server.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal([0x11], campaign.Order);
        Assert.Contains(Sink.Lines, l => l.Detail == "dev-1 chip 0x13: runs 1.2.0, newer than the published 1.1.0: left alone");
    }

    [Fact]
    public async Task Campaign_FollowsTheProductsOrder_SetOverHttp()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await admin.SetProductOrderAsync("kettle", [0x11, 0x13, 0x12], Cancel);
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain, product: "kettle");

        var campaign = await admin.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal([0x11, 0x13], campaign.Order);
    }

    [Fact]
    public async Task Campaign_IsRefused_WhileOneRuns_AndAllowedAfterItsCompletion()
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0", Chain);
        var first = await admin.StartCampaignAsync("dev-1", Cancel);

        var refused = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.StartCampaignAsync("dev-1", Cancel));
        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(new DeviceEvent("campaign-complete") { CampaignId = first.CampaignId }));
        await Server.WaitForEventAsync("dev-1", e => e.Event == "campaign-complete", "campaign complete", TestTimeouts.Event, Cancel);
        var second = await admin.StartCampaignAsync("dev-1", Cancel);

        Assert.Equal((int)HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"campaign {first.CampaignId} is running for dev-1", refused.Message, StringComparison.Ordinal);
        Assert.Equal(first.CampaignId + 1, second.CampaignId);
        var view = await admin.GetDeviceAsync("dev-1", Cancel);
        Assert.Equal((second.CampaignId, true, "campaign-complete"), (view!.Campaign!.CampaignId, view.CampaignRunning, view.Events.Single().Event));
    }

    [Theory]
    [InlineData("never-reported", (int)HttpStatusCode.NotFound, "device dev-2 has not reported to the target server")]
    [InlineData("no-chips", (int)HttpStatusCode.UnprocessableEntity, "device dev-1 has not reported its chips' versions")]
    [InlineData("up-to-date", (int)HttpStatusCode.UnprocessableEntity, "nothing to upgrade on dev-1")]
    public async Task Campaign_IsRefused_When_ThereIsNothingToDo(string situation, int status, string reason)
    {
        await PublishChipsAsync();
        using var admin = Server.CreateAdminClient();
        await using var device = await ConnectDeviceAsync();
        if (situation != "never-reported")
        {
            await ReportAsync(device, "dev-1", "2.0.0", situation == "no-chips" ? null : [new(0x11, "1.1.0"), new(0x12, "1.0.0")]);
        }

        var error = await Assert.ThrowsAsync<TargetOtaRequestException>(() => admin.StartCampaignAsync(situation == "never-reported" ? "dev-2" : "dev-1", Cancel));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
