using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Links;

/// <summary>One-line, human-readable descriptions of frames for timelines and logs.</summary>
public static class FrameSummary
{
    /// <summary>Describes a frame and its decoded payload.</summary>
    public static string Describe(Frame frame)
    {
        var detail = frame.Type switch
        {
            MessageType.Prepare => PreparePayload.TryDecode(frame.Payload, out var e) is { } p ? $"campaign={p.CampaignId} budget={p.BudgetMs}ms" : e,
            MessageType.PrepareAck => PrepareAckPayload.TryDecode(frame.Payload, out var e) is { } p
                ? $"{p.Status} by 0x{p.ReportingChip:X2} chips=[{string.Join(' ', p.Chips.Select(c => $"0x{c.ModelId:X2}<0x{c.ParentId:X2}"))}]" : e,
            MessageType.Start => StartPayload.TryDecode(frame.Payload, out var e) is { } p ? $"campaign={p.CampaignId} target=0x{p.Target:X2} budget={p.BudgetMs}ms" : e,
            MessageType.StartAck => StartAckPayload.TryDecode(frame.Payload, out var e) is { } p
                ? $"chip=0x{p.Chip:X2} mode={p.Mode} resume={p.ResumeOffset} {p.Status}"
                  + (p.Below.Count == 0 && p.Collection == StartStatus.Ok ? "" : $" below=[{string.Join(' ', p.Below.Select(a => $"0x{a.Chip:X2}:{a.Mode}"))}]")
                  + (p.Collection == StartStatus.Ok ? "" : $" {p.Collection} at 0x{(p.ReportingChip == 0 ? p.Chip : p.ReportingChip):X2}")
                : e,
            MessageType.Data => frame.Payload.Length >= 4 ? $"offset={BitConverter.ToUInt32(frame.Payload, 0)} bytes={frame.Payload.Length - 4}" : "short",
            MessageType.DataAck => DataAckPayload.TryDecode(frame.Payload, out var e) is { } p ? $"persisted={p.Persisted} next={p.Next} {p.Status}" : e,
            MessageType.Complete => CompletePayload.TryDecode(frame.Payload, out var e) is { } p ? $"chip=0x{p.Chip:X2} {p.Status} version={p.ActiveVersion}" : e,
            MessageType.StatusResponse => StatusPayload.TryDecode(frame.Payload, out var e) is { } p
                ? $"mode={p.Mode} version={p.ActiveVersion} slot={p.ActiveSlot} state={p.State} persisted={p.PersistedOffset}/{p.ImageSizeBytes}" : e,
            MessageType.Control => ControlPayload.TryDecode(frame.Payload, out var e) is { } p ? $"{p.CommandId} {p.Name} '{p.Argument}'" : e,
            MessageType.ControlReply => ControlReplyPayload.TryDecode(frame.Payload, out var e) is { } p ? $"{p.CommandId} ok={p.Ok} '{p.Result}'" : e,
            MessageType.BodyStatus => BodyStatusPayload.TryDecode(frame.Payload, out var e) is { } p ? $"power={(p.PowerOn ? "on" : "off")} operating={p.Operating} mode='{p.Mode}'" : e,
            MessageType.OtaNotice => OtaNoticePayload.TryDecode(frame.Payload, out var e) is { } p
                ? $"notice={p.NoticeId} {p.Kind} [{string.Join(' ', p.Images.Select(i => $"0x{i.ModelId:X2}:{i.Version}"))}]" : e,
            MessageType.OtaAnswer => OtaAnswerPayload.TryDecode(frame.Payload, out var e) is { } p ? $"notice={p.NoticeId} {p.Answer}" : e,
            _ => null,
        };
        return detail is null ? frame.ToString() : $"{frame} {detail}";
    }
}
