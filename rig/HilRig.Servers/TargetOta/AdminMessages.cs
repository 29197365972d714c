using HilRig.Protocol.Cloud;

namespace HilRig.Servers.TargetOta;

/// <summary>Body of POST /admin/firmware (docs/cloud.md §2.6).</summary>
/// <param name="ModelId">Model id of the image; 1 is the WiFi module itself.</param>
/// <param name="Version">"major.minor.patch"; must match the image header.</param>
/// <param name="Image">Name of an image the rig gave the server (<see cref="TargetOtaServer.Images"/>); never a path.</param>
public sealed record PublishFirmwareRequest(byte ModelId, string? Version, string? Image);

/// <summary>Body of PUT /admin/products/{product}/order.</summary>
/// <param name="Order">Model ids, first upgraded first.</param>
public sealed record ProductOrderRequest(IReadOnlyList<byte>? Order);

/// <summary>Answer of POST /admin/devices/{device}/campaign: the campaign started in its prepare phase (docs/cloud.md §2.3).</summary>
/// <param name="CampaignId">Id of the campaign, in the prepare instruction just sent and in every event of the campaign.</param>
public sealed record CampaignStarted(uint CampaignId);

/// <summary>Answer of GET /admin/devices/{device}: what the target server knows of a device.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="LastReport">Its last report.</param>
/// <param name="OutstandingInstruction">The module instruction it has not finished yet.</param>
/// <param name="CampaignId">Id of its latest campaign.</param>
/// <param name="CampaignPhase">"preparing" (prepare sent, waiting for "prepared"), "running" (campaign sent), or null when no campaign runs.</param>
/// <param name="Campaign">The instruction of its latest campaign; null while that campaign is preparing or when it ended with nothing to upgrade.</param>
/// <param name="Chips">Its chips' latest versions: from its last "prepared" event or its last report that had them, whichever came later.</param>
/// <param name="Events">Every event it sent, oldest first, with the server's own "campaign-empty" among them.</param>
/// <param name="FailedChip">The chip the latest campaign's latest attempt failed on, where a retry would start; null otherwise.</param>
public sealed record DeviceView(string DeviceId, DeviceReport? LastReport, OtaInstruction? OutstandingInstruction,
    uint? CampaignId, string? CampaignPhase, CampaignInstruction? Campaign, IReadOnlyList<ChipVersion>? Chips, IReadOnlyList<DeviceEvent> Events,
    byte? FailedChip = null)
{
    /// <summary>Whether its latest campaign is still running, in either phase (no ending event yet).</summary>
    public bool CampaignRunning => CampaignPhase is not null;
}

/// <summary>Body of every admin error answer.</summary>
/// <param name="Error">One line saying what is wrong.</param>
public sealed record AdminError(string Error);

/// <summary>Values of <see cref="DeviceView.CampaignPhase"/> (docs/cloud.md §2.3).</summary>
public static class CampaignPhases
{
    /// <summary>The prepare instruction was sent; the server waits for the device's "prepared" event.</summary>
    public const string Preparing = "preparing";

    /// <summary>The campaign instruction was sent; the server waits for an event that ends the campaign.</summary>
    public const string Running = "running";
}
