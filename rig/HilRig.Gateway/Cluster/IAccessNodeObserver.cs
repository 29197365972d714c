using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// Who wants to know what happens to devices on an access node: the command dispatcher (routes)
/// and the master gateway (capacity). Called inline, in order, for one device at a time.
/// </summary>
public interface IAccessNodeObserver
{
    /// <summary>A device's connection was accepted.</summary>
    Task OnDeviceConnectedAsync(AccessNode node, string deviceId) => Task.CompletedTask;

    /// <summary>A device subscribed to its command topic: commands sent now reach it.</summary>
    Task OnDeviceReadyAsync(AccessNode node, string deviceId) => Task.CompletedTask;

    /// <summary>The node is about to send a device the offline instruction: send it no new commands here.</summary>
    Task OnDeviceOfflineSentAsync(AccessNode node, string deviceId) => Task.CompletedTask;

    /// <summary>A device's connection ended (clean or not).</summary>
    Task OnDeviceGoneAsync(AccessNode node, string deviceId, bool clean) => Task.CompletedTask;

    /// <summary>A device replied to a command.</summary>
    Task OnReplyAsync(AccessNode node, string deviceId, CommandReply reply) => Task.CompletedTask;
}
