using System.Security.Cryptography;

namespace HilRig.Servers.Mqtt;

/// <summary>How to run an embedded broker (<see cref="MqttBrokerHost"/>).</summary>
public sealed class MqttBrokerOptions
{
    /// <summary>Source name on the <see cref="ServerEventSink"/>, for example "vendor:acme" or "target".</summary>
    public required string Name { get; init; }

    /// <summary>The devices that may connect, with their secrets.</summary>
    public required DeviceRegistry Devices { get; init; }

    /// <summary>The topics each device may use.</summary>
    public required DeviceTopicAcl Acl { get; init; }

    /// <summary>Loopback TCP port; 0 lets the OS pick one (read it from <see cref="MqttBrokerHost.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The server's certificate from the bench CA: the broker then speaks MQTT over TLS only, and no plain port is
    /// opened (docs/cloud.md §6). Null: plain MQTT.
    /// </summary>
    public Tls.ServerCertificate? Tls { get; init; }

    /// <summary>User name of the privileged backend user (any client id, every topic, wildcards allowed).</summary>
    public string BackendUserName { get; init; } = "backend";

    /// <summary>Password of the backend user; random unless given.</summary>
    public string BackendPassword { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
