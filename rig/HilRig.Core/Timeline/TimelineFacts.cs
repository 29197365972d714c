using System.Text.Json;
using System.Text.Json.Serialization;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Timeline;

/// <summary>
/// The kinds of timeline event (the <c>kind</c> field of timeline.ndjson): one list, with the wire name of each.
/// The typed fields a kind carries are on <see cref="TimelineEvent"/>: a frame's <see cref="FrameFacts"/>, a chip
/// record (<see cref="HilRig.Protocol.Modes.ChipRecord"/>) on a chip's log line, the modes of a snapshot, a power state.
/// </summary>
public static class TimelineKind
{
    /// <summary>A frame seen on a link (typed: <see cref="TimelineEvent.Frame"/>).</summary>
    public const string Frame = "frame";
    /// <summary>A frame or bytes the rig injected (typed: <see cref="TimelineEvent.Frame"/> when a frame).</summary>
    public const string Inject = "inject";
    /// <summary>Bytes on a link that are not a valid frame.</summary>
    public const string Garbage = "garbage";
    /// <summary>A node's power switched (typed: <see cref="TimelineEvent.PowerOn"/>).</summary>
    public const string Power = "power";
    /// <summary>A line a node printed (typed: <see cref="TimelineEvent.Chip"/> when it is a chip record, docs/protocol.md §11.2).</summary>
    public const string Log = "log";
    /// <summary>The rig's snapshot of chip modes (typed: <see cref="TimelineEvent.Modes"/>).</summary>
    public const string Modes = "modes";
    /// <summary>A fault acted.</summary>
    public const string Fault = "fault";
    /// <summary>A fault was armed.</summary>
    public const string FaultArmed = "fault-armed";
    /// <summary>A fault finished.</summary>
    public const string FaultDone = "fault-done";
    /// <summary>A fault's trigger fired.</summary>
    public const string FaultTrigger = "fault-trigger";
    /// <summary>A fault deferred to a later frame.</summary>
    public const string FaultDeferred = "fault-deferred";
    /// <summary>A fault's effect on one frame.</summary>
    public const string FaultFrame = "fault-frame";
    /// <summary>A recovery or resume check's verdict.</summary>
    public const string Verify = "verify";
    /// <summary>A failed check.</summary>
    public const string VerifyFailed = "verify-failed";
    /// <summary>A scenario started (summary: its name).</summary>
    public const string Scenario = "scenario";
    /// <summary>A campaign handed to the module.</summary>
    public const string Campaign = "campaign";
    /// <summary>A module control-channel event.</summary>
    public const string Event = "event";
    /// <summary>The module connected to the control channel.</summary>
    public const string Connect = "connect";
    /// <summary>A rig-side error.</summary>
    public const string Error = "error";
    /// <summary>A node process started or ended.</summary>
    public const string Process = "process";
    /// <summary>A firmware build ran.</summary>
    public const string Build = "build";
    /// <summary>A factory image was programmed.</summary>
    public const string Program = "program";
    /// <summary>A chip's supply current was read.</summary>
    public const string Current = "current";
    /// <summary>Other kinds the rig writes, read by no consumer but people (their summary says it all).</summary>
    public static IReadOnlyList<string> Others { get; } =
    [
        "provision", "device-off", "unplugged", "unobserved", "tls", "ota-notice", "network-up", "network-down", "network",
        "gateway-reply", "gateway-command", "control", "body-status", "air",
    ];

    /// <summary>Kinds the cloud-side servers write through their event sink (HilRig.Servers, docs/cloud.md), shown as text.</summary>
    public static IReadOnlyList<string> Server { get; } =
    [
        "acl", "answered", "batch", "bind", "broker", "close", "connect", "died", "disconnect", "drain", "duplicate", "error",
        "fallback", "fault", "garbage", "hand-out", "hold", "http", "kept", "locked", "lost", "mosquitto", "mqtt", "offline",
        "offline-ignored", "ota", "ready", "reconnect", "refused", "release", "reply", "resend", "resume", "retry", "rollback",
        "rollout", "served", "shut", "start", "subscribe", "switch", "tls", "unbind", "unbind-failed", "wait", "watch",
    ];

    /// <summary>Every kind, once: the constants above, <see cref="Others"/> and <see cref="Server"/>.</summary>
    public static IReadOnlySet<string> All { get; } = typeof(TimelineKind).GetFields()
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
        .Concat(Others).Concat(Server).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// What a frame on the timeline says, decoded once where it was seen, so no reader parses its summary. Fields a
/// frame type does not carry stay null and are left out of the JSON (<see cref="TimelineJson"/>).
/// </summary>
/// <param name="Type">Message type (<see cref="MessageType"/> name, e.g. "StartAck").</param>
/// <param name="From">SRC model id.</param>
/// <param name="To">DST model id.</param>
/// <param name="Sequence">SEQ.</param>
public sealed record FrameFacts(string Type, byte From, byte To, byte Sequence)
{
    /// <summary>The chip a START_ACK or COMPLETE payload names.</summary>
    public byte? Chip { get; init; }

    /// <summary>The mode a START_ACK (the chip's own answer) or STATUS_RSP reports.</summary>
    public ChipMode? Mode { get; init; }

    /// <summary>Status word of START_ACK, DATA_ACK or COMPLETE ("Ok", "Activated", ...).</summary>
    public string? Status { get; init; }

    /// <summary>Version of COMPLETE or STATUS_RSP.</summary>
    public string? Version { get; init; }

    /// <summary>DATA's offset, or START_ACK's resume offset.</summary>
    public long? Offset { get; init; }

    /// <summary>Image bytes a DATA carries.</summary>
    public long? Bytes { get; init; }

    /// <summary>Persisted offset of DATA_ACK or STATUS_RSP.</summary>
    public long? Persisted { get; init; }

    /// <summary>DATA_ACK's next expected offset.</summary>
    public long? Next { get; init; }

    /// <summary>STATUS_RSP's image size.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>The facts of <paramref name="frame"/>; payload fields stay null when the payload does not decode.</summary>
    public static FrameFacts Of(Frame frame)
    {
        var facts = new FrameFacts(frame.Type.ToString(), frame.Source, frame.Destination, frame.Sequence);
        switch (frame.Type)
        {
            case MessageType.StartAck when StartAckPayload.TryDecode(frame.Payload, out _) is { } p:
                return facts with { Chip = p.Chip, Mode = p.Mode, Offset = p.ResumeOffset, Status = p.Status.ToString() };
            case MessageType.Data when frame.Payload.Length >= 4:
                return facts with { Offset = BitConverter.ToUInt32(frame.Payload, 0), Bytes = frame.Payload.Length - 4 };
            case MessageType.DataAck when DataAckPayload.TryDecode(frame.Payload, out _) is { } p:
                return facts with { Persisted = p.Persisted, Next = p.Next, Status = p.Status.ToString() };
            case MessageType.Complete when CompletePayload.TryDecode(frame.Payload, out _) is { } p:
                return facts with { Chip = p.Chip, Status = p.Status.ToString(), Version = p.ActiveVersion.ToString() };
            case MessageType.StatusResponse when StatusPayload.TryDecode(frame.Payload, out _) is { } p:
                return facts with { Mode = p.Mode, Version = p.ActiveVersion.ToString(), Persisted = p.PersistedOffset, SizeBytes = p.ImageSizeBytes };
            default:
                return facts;
        }
    }
}

/// <summary>The JSON of timeline.ndjson, for its writer and every reader.</summary>
public static class TimelineJson
{
    /// <summary>camelCase names, enums by name, absent fields omitted.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
