using HilRig.Servers.Mqtt;

namespace HilRig.Servers.Vendor;

/// <summary>How to run a vendor server with an embedded broker (<see cref="VendorServer.StartAsync"/>).</summary>
public sealed class VendorServerOptions
{
    /// <summary>The server id devices are provisioned with, for example "acme".</summary>
    public required string ServerId { get; init; }

    /// <summary>The devices that may connect, with their secrets.</summary>
    public required DeviceRegistry Devices { get; init; }

    /// <summary>Loopback MQTT port; 0 lets the OS pick one.</summary>
    public int MqttPort { get; init; }

    /// <summary>The server's certificate from the bench CA: its broker then speaks MQTT over TLS only. Null: plain MQTT.</summary>
    public Tls.ServerCertificate? Tls { get; init; }

    /// <summary>Whether the server runs an OTA unit of its own (docs/cloud.md §3.4).</summary>
    public bool WithOtaUnit { get; init; }
}
