using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module.Network;

/// <summary>
/// The module's side of the exchange with the device's processor on its UART (since protocol 1.2, docs/protocol.md §5.12
/// to §5.16, §7.7): control commands out and their replies back, the device body's status in, OTA notices out and their
/// answers back.
/// </summary>
public interface IProcessorLink
{
    /// <summary>Sends CONTROL and returns the processor's CONTROL_REPLY for its command id, or null when none came within <paramref name="timeout"/>.</summary>
    Task<ControlReplyPayload?> ControlAsync(ControlPayload command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Sends OTA_NOTICE and returns the processor's answer to its notice id, or null when none came within <paramref name="timeout"/>.</summary>
    Task<OtaAnswer?> NoticeAsync(OtaNoticePayload notice, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The last BODY_STATUS the processor sent since the module's boot; null before the first.</summary>
    BodyStatusPayload? BodyStatus { get; }

    /// <summary>Raised for every BODY_STATUS the processor sends.</summary>
    event Action<BodyStatusPayload>? BodyStatusReported;
}
