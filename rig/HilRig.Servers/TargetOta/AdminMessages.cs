using HilRig.Protocol.Cloud;

namespace HilRig.Servers.TargetOta;

/// <summary>Body of POST /admin/firmware (docs/cloud.md §2.6).</summary>
/// <param name="ModelId">Model id of the image; 1 is the WiFi module itself.</param>
/// <param name="Version">"major.minor.patch"; must match the image header.</param>
/// <param name="File">Path of the image file on the rig's machine.</param>
public sealed record PublishFirmwareRequest(byte ModelId, string Version, string File);

/// <summary>Body of PUT /admin/products/{product}/order.</summary>
/// <param name="Order">Model ids, first upgraded first.</param>
public sealed record ProductOrderRequest(IReadOnlyList<byte> Order);

/// <summary>Answer of GET /admin/devices/{device}: what the target server knows of a device.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="LastReport">Its last report.</param>
/// <param name="OutstandingInstruction">The module instruction it has not finished yet.</param>
/// <param name="Campaign">Its latest campaign.</param>
/// <param name="CampaignRunning">Whether that campaign is still running (no ending event yet).</param>
/// <param name="Events">Every event it sent, oldest first.</param>
public sealed record DeviceView(string DeviceId, DeviceReport? LastReport, OtaInstruction? OutstandingInstruction,
    CampaignInstruction? Campaign, bool CampaignRunning, IReadOnlyList<DeviceEvent> Events);

/// <summary>Body of every admin error answer.</summary>
/// <param name="Error">One line saying what is wrong.</param>
public sealed record AdminError(string Error);
