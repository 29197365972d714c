using HilRig.Protocol.Cloud;
using MQTTnet;

namespace HilRig.Gateway.Device;

/// <summary>One MQTT connection of a device to one access node.</summary>
internal sealed class DeviceChannel(string nodeId, string address, IMqttClient client)
{
    public string NodeId { get; } = nodeId;
    public string Address { get; } = address;
    public IMqttClient Client { get; } = client;

    /// <summary>Set when the device itself closes the channel (an expected disconnect).</summary>
    public volatile bool ClosingByDevice;

    /// <summary>An offline instruction received on this channel, possibly before it became the device's current one.</summary>
    public volatile OfflineInstruction? Offline;

    public bool IsConnected => Client.IsConnected;
}
