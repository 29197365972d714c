using HilRig.Protocol.Cloud;

namespace HilRig.Servers.Mqtt;

/// <summary>
/// The topics a device may use on one broker (docs/cloud.md §3.3): an exact list per device to publish to and
/// another to subscribe to; wildcards are refused. The backend user is not subject to it.
/// </summary>
/// <param name="publishTopics">Topics a device may publish to, by device id.</param>
/// <param name="subscribeTopics">Topics a device may subscribe to, by device id.</param>
public sealed class DeviceTopicAcl(Func<string, IReadOnlyList<string>> publishTopics, Func<string, IReadOnlyList<string>> subscribeTopics)
{
    /// <summary>A vendor server's rules: publish vendor/{id}/reply and /status, subscribe vendor/{id}/control and /ota.</summary>
    public static DeviceTopicAcl Vendor { get; } = new(CloudTopics.VendorDevicePublish, CloudTopics.VendorDeviceSubscribe);

    /// <summary>The target server's rules: publish ota/{id}/report and /events, subscribe ota/{id}/instruction and /campaign.</summary>
    public static DeviceTopicAcl TargetOta { get; } = new(CloudTopics.OtaDevicePublish, CloudTopics.OtaDeviceSubscribe);

    /// <summary>
    /// The target server's rules and a vendor server's together: the broker of a target server that is also some
    /// devices' vendor server (docs/cloud.md §1).
    /// </summary>
    public static DeviceTopicAcl TargetAndVendor { get; } = new(
        id => [.. CloudTopics.OtaDevicePublish(id), .. CloudTopics.VendorDevicePublish(id)],
        id => [.. CloudTopics.OtaDeviceSubscribe(id), .. CloudTopics.VendorDeviceSubscribe(id)]);

    /// <summary>The exact topics a device may publish to (for brokers configured from a file, such as mosquitto).</summary>
    public IReadOnlyList<string> PublishTopics(string deviceId) => publishTopics(deviceId);

    /// <summary>The exact topics a device may subscribe to.</summary>
    public IReadOnlyList<string> SubscribeTopics(string deviceId) => subscribeTopics(deviceId);

    /// <summary>Whether the device may publish to <paramref name="topic"/>; otherwise why not.</summary>
    public bool MayPublish(string deviceId, string topic, out string reason) =>
        Check(publishTopics(deviceId), deviceId, topic, "publish to", out reason);

    /// <summary>Whether the device may subscribe to <paramref name="topicFilter"/>; otherwise why not.</summary>
    public bool MaySubscribe(string deviceId, string topicFilter, out string reason) =>
        Check(subscribeTopics(deviceId), deviceId, topicFilter, "subscribe to", out reason);

    private static bool Check(IReadOnlyList<string> allowed, string deviceId, string topic, string action, out string reason)
    {
        if (topic.Contains('+') || topic.Contains('#'))
        {
            reason = $"device {deviceId} may not {action} '{topic}': wildcards are not allowed for devices";
            return false;
        }
        if (!allowed.Contains(topic, StringComparer.Ordinal))
        {
            reason = $"device {deviceId} may not {action} '{topic}' (allowed: {string.Join(", ", allowed)})";
            return false;
        }
        reason = "";
        return true;
    }
}
