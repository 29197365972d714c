namespace HilRig.Protocol.Cloud;

/// <summary>
/// MQTT topic names of the device's cloud traffic (docs/cloud.md). A device's MQTT client id and
/// user name are its device id; the ACLs of every broker are written in terms of these topics.
/// </summary>
public static class CloudTopics
{
    // Target OTA server (docs/cloud.md §2).

    /// <summary>Device → target server: <see cref="DeviceReport"/> after every connect and after a reboot.</summary>
    public static string OtaReport(string deviceId) => $"ota/{deviceId}/report";

    /// <summary>Target server → device: <see cref="OtaInstruction"/> (the module's own upgrade).</summary>
    public static string OtaInstruction(string deviceId) => $"ota/{deviceId}/instruction";

    /// <summary>Target server → device: <see cref="PrepareInstruction"/> (first phase of a chip campaign: learn the chain).</summary>
    public static string OtaPrepare(string deviceId) => $"ota/{deviceId}/prepare";

    /// <summary>Target server → device: <see cref="CampaignInstruction"/> (the chips' upgrade).</summary>
    public static string OtaCampaign(string deviceId) => $"ota/{deviceId}/campaign";

    /// <summary>Device → target server: <see cref="DeviceEvent"/> (download progress, module upgrade, relayed chip campaign events).</summary>
    public static string OtaEvents(string deviceId) => $"ota/{deviceId}/events";

    // Vendor servers (docs/cloud.md §3).

    /// <summary>Vendor backend → device: <see cref="ControlCommand"/>.</summary>
    public static string VendorControl(string deviceId) => $"vendor/{deviceId}/control";

    /// <summary>Device → vendor backend: <see cref="CommandReply"/>.</summary>
    public static string VendorReply(string deviceId) => $"vendor/{deviceId}/reply";

    /// <summary>Device → vendor backend: <see cref="StatusReport"/>, periodically and after every change.</summary>
    public static string VendorStatus(string deviceId) => $"vendor/{deviceId}/status";

    /// <summary>Vendor OTA unit → device: an <see cref="OtaInstruction"/> the module must ignore (only the target server does OTA).</summary>
    public static string VendorOta(string deviceId) => $"vendor/{deviceId}/ota";

    /// <summary>Topics a device may publish to on a vendor server (its ACL).</summary>
    public static IReadOnlyList<string> VendorDevicePublish(string deviceId) => [VendorReply(deviceId), VendorStatus(deviceId)];

    /// <summary>Topics a device may subscribe to on a vendor server (its ACL; no wildcards).</summary>
    public static IReadOnlyList<string> VendorDeviceSubscribe(string deviceId) => [VendorControl(deviceId), VendorOta(deviceId)];

    /// <summary>Topics a device may publish to on the target server (its ACL).</summary>
    public static IReadOnlyList<string> OtaDevicePublish(string deviceId) => [OtaReport(deviceId), OtaEvents(deviceId)];

    /// <summary>Topics a device may subscribe to on the target server (its ACL; no wildcards).</summary>
    public static IReadOnlyList<string> OtaDeviceSubscribe(string deviceId) => [OtaInstruction(deviceId), OtaPrepare(deviceId), OtaCampaign(deviceId)];
}
