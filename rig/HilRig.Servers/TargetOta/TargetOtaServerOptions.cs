using System.Net;
using HilRig.Servers.Mqtt;

namespace HilRig.Servers.TargetOta;

/// <summary>How to run the target OTA server (<see cref="TargetOtaServer.StartAsync(TargetOtaServerOptions, ServerEventSink, CancellationToken)"/>).</summary>
public sealed class TargetOtaServerOptions
{
    /// <summary>The devices that may connect to its broker, with their secrets.</summary>
    public required DeviceRegistry Devices { get; init; }

    /// <summary>The topics devices may use on its broker; <see cref="DeviceTopicAcl.TargetAndVendor"/> when it is also a vendor server.</summary>
    public DeviceTopicAcl Acl { get; init; } = DeviceTopicAcl.TargetOta;

    /// <summary>Loopback MQTT port of the embedded broker; 0 lets the OS pick one.</summary>
    public int MqttPort { get; init; }

    /// <summary>Loopback HTTP port (downloads and admin API); 0 lets the OS pick one.</summary>
    public int HttpPort { get; init; }

    /// <summary>
    /// The server's certificate from the bench CA: its broker then speaks MQTT over TLS only and firmware downloads
    /// move to an HTTPS port of their own (<see cref="TargetOtaServer.DownloadPort"/>); the admin API stays plain HTTP
    /// on loopback. Null: plain MQTT, and downloads beside the admin API.
    /// </summary>
    public Tls.ServerCertificate? Tls { get; init; }

    /// <summary>Clock of the time-bound faults (<see cref="Faults.HttpFaults.FailFor"/>).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Address HTTP listens on: loopback. Tests set another to prove the admin API refuses a client that is not on
    /// loopback; the rig never does (devices reach downloads through a network gate).
    /// </summary>
    internal IPAddress ListenAddress { get; init; } = IPAddress.Loopback;
}
