using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Bench.Chip;

public sealed partial class ChipFirmware
{
    /// <summary>
    /// A START this chip passed downstream and is collecting START_ACKs for (docs/protocol.md §6.2, §7.2): its own
    /// answer waits until every downstream port answered or the budget ran out, as PREPARE's does (§7.1).
    /// </summary>
    private sealed class PendingStart(int upstreamPort, byte replyTo, StartAckPayload own, DateTimeOffset deadline, Action? afterAnswer)
    {
        public int UpstreamPort { get; } = upstreamPort;
        public byte ReplyTo { get; } = replyTo;
        public StartAckPayload Own { get; } = own;
        public DateTimeOffset Deadline { get; } = deadline;
        public Action? AfterAnswer { get; } = afterAnswer;
        public HashSet<int> Answered { get; } = new();
        public List<StartAnswer> Below { get; } = new();
        public StartStatus Collection { get; set; } = StartStatus.Ok;
        public byte Reporting { get; set; }
    }

    private PendingStart? _start;

    private void OnStart(int port, DecodedFrame decoded, DateTimeOffset now)
    {
        var frame = decoded.Frame;
        var start = StartPayload.TryDecode(frame.Payload, out var error);
        if (start is null)
        {
            _output.Log($"bad START: {error}");
            if (_defects.HasFlag(ChipDefect.AnswersUndecodablePayloads))
            {
                // DEFECT: answers-undecodable-payloads. A START it cannot read is refused aloud instead of ignored.
                Send(port, MessageType.StartAck, frame.Source, new StartAckPayload(0, _config.ModelId, Mode, 0, StartStatus.BadHeader).Encode());
            }
            return;
        }
        // A new START replaces one still collecting (the module re-sends START on silence).
        _start = null;
        if (start.Target != _config.ModelId)
        {
            // Chips already upgraded in this campaign sleep; the others pass traffic through
            // (docs/protocol.md §6.2). The mark is written before the chip answers or passes the START on.
            var upgraded = Mark.State == UpgradeState.Done && Mark.CampaignId == start.CampaignId;
            var mode = ModeMachine.Next(Mode, upgraded ? ModeEvent.StartForOtherDoneHere : ModeEvent.StartForOther);
            var next = Mark with { Mode = mode, CampaignId = start.CampaignId, State = upgraded ? UpgradeState.Done : UpgradeState.Idle };
            var changed = next.Mode != Mark.Mode || next.CampaignId != Mark.CampaignId || next.State != Mark.State;
            if (mode == ChipMode.Sleep && _defects.HasFlag(ChipDefect.SleepNotPersisted))
            {
                // DEFECT: sleep-not-persisted. The chip sleeps in RAM only; the mark keeps the previous mode.
                _asleepUnpersisted = true;
                changed = false;
            }
            var markAfterActing = _defects.HasFlag(ChipDefect.MarkAfterActing);
            if (changed && !markAfterActing)
            {
                WriteMark(next);
            }
            // (DEFECT: mark-after-acting writes the mark only once START and START_ACK are out.)
            AnswerAndPassDown(port, decoded, start, new StartAckPayload(start.CampaignId, _config.ModelId, mode, 0, StartStatus.Ok), now,
                changed && markAfterActing ? () => WriteMark(next) : null);
            return;
        }
        var header = ImageHeader.TryDecode(start.ImageHeader, out var headerError);
        var refusal = header is null ? StartStatus.BadHeader
            : header.ModelId != _config.ModelId ? StartStatus.WrongModel
            : header.ImageSizeBytes > _config.Layout.SlotSizeBytes ? StartStatus.ImageTooLarge
            : (StartStatus?)null;
        if (refusal is not null)
        {
            _output.Log($"START refused: {refusal} {headerError}");
            Send(port, MessageType.StartAck, frame.Source, new StartAckPayload(start.CampaignId, _config.ModelId, Mode, 0, refusal.Value).Encode());
            return;
        }
        _pendingVersion = header!.Version;
        // (DEFECT: restarts-finished-transfer skips this check: an image already activated is sent again.)
        if (Mark.State == UpgradeState.Done && SameImage(Mark, start.CampaignId, header) && !_defects.HasFlag(ChipDefect.RestartsFinishedTransfer))
        {
            SetMode(ModeMachine.Next(Mark.Mode, ModeEvent.StartForMeAlreadyUpgraded));
            Send(port, MessageType.StartAck, frame.Source, new StartAckPayload(start.CampaignId, _config.ModelId, ChipMode.Initial, Mark.ImageSizeBytes, StartStatus.AlreadyUpgraded).Encode());
            SendComplete(start.CampaignId, CompleteStatus.Activated);
            return;
        }
        var resuming = Mark.Mode == ChipMode.Upgrade && Mark.State == UpgradeState.Receiving && SameImage(Mark, start.CampaignId, header!);
        if (resuming && _defects.HasFlag(ChipDefect.ResumeFromZero))
        {
            // DEFECT: resume-from-zero. The persisted progress is thrown away and the transfer restarts at 0.
            resuming = false;
        }
        var target = resuming ? Mark : Mark with
        {
            Mode = ModeMachine.Next(Mark.Mode, ModeEvent.StartForMe), State = UpgradeState.Receiving, CampaignId = start.CampaignId,
            PersistedOffset = 0, ImageSizeBytes = header!.ImageSizeBytes, ImageDigest = header.BodySha256,
        };
        var writeAfterActing = !resuming && _defects.HasFlag(ChipDefect.MarkAfterActing);
        if (!resuming && !writeAfterActing)
        {
            WriteMark(target);
        }
        _nextExpected = target.PersistedOffset;
        _held = null; // selective acknowledgement is asked for again after every START (§7.3.1)
        // The target still passes START on downstream, so the chips beyond it that are already upgraded learn it and
        // sleep (§6.2), and collects their answers; apart from that START and those answers it forwards nothing.
        var own = new StartAckPayload(start.CampaignId, _config.ModelId, ChipMode.Upgrade, target.PersistedOffset, StartStatus.Ok);
        if (writeAfterActing)
        {
            // DEFECT: mark-after-acting. START_ACK and START are out before UPGRADE is persisted.
            AnswerAndPassDown(port, decoded, start, own, now, () => WriteMark(target));
            return;
        }
        // A resume of a fully received image: verify and activate once the answer is out (§6.2 step 5).
        AnswerAndPassDown(port, decoded, start, own, now, Mark.PersistedOffset == Mark.ImageSizeBytes ? VerifyAndActivate : null);
    }

    /// <summary>
    /// §6.2 / §7.2: a chip without downstream ports answers at once; any other sends the START on, with the budget less
    /// the per-hop margin and itself as source, on every downstream port, and answers once they all answered (or the
    /// budget ran out), its own answer first, those from below after it.
    /// </summary>
    private void AnswerAndPassDown(int port, DecodedFrame decoded, StartPayload start, StartAckPayload own, DateTimeOffset now, Action? afterAnswer)
    {
        var source = decoded.Frame.Source;
        if (_defects.HasFlag(ChipDefect.StartDropsBelowAnswers))
        {
            // DEFECT: start-drops-below-answers. As in protocol 1.0: the chip answers for itself at once and passes the
            // START on unchanged, so the answers of the chips below are never collected into its own.
            Send(port, MessageType.StartAck, source, own.Encode());
            for (var p = 1; p <= _config.DownstreamPortCount; p++)
            {
                _output.Send(p, decoded.Raw);
            }
            afterAnswer?.Invoke();
            return;
        }
        var budgetMs = start.BudgetMs - ChipConfig.PrepareMarginMs;
        if (_config.DownstreamPortCount == 0 || budgetMs <= ChipConfig.PrepareMarginMs)
        {
            var answer = _config.DownstreamPortCount == 0 ? own : own with { Collection = StartStatus.DownstreamSilent };
            _start = new PendingStart(port, source, answer, now, afterAnswer);
            FinishStart(timedOut: false);
            return;
        }
        _start = new PendingStart(port, source, own, now.AddMilliseconds(budgetMs), afterAnswer);
        SendDownstream(MessageType.Start, Address.Broadcast, (start with { BudgetMs = (ushort)budgetMs }).Encode());
    }

    private void OnStartAck(int port, Frame frame)
    {
        var payload = StartAckPayload.TryDecode(frame.Payload, out var error);
        if (_start is null || payload is null || port == 0 || payload.CampaignId != _start.Own.CampaignId)
        {
            _output.Log(payload is null ? $"bad START_ACK: {error}" : "START_ACK without a pending START, ignored");
            return;
        }
        if (!_start.Answered.Add(port))
        {
            _output.Log($"second START_ACK on port {port} ignored");
            return;
        }
        _start.Below.AddRange(payload.Answers);
        if (payload.Collection != StartStatus.Ok && _start.Collection == StartStatus.Ok)
        {
            _start.Collection = payload.Collection;
            _start.Reporting = payload.ReportingChip == 0 ? payload.Chip : payload.ReportingChip;
        }
        if (_start.Answered.Count == _config.DownstreamPortCount)
        {
            FinishStart(timedOut: false);
        }
    }

    private void FinishStart(bool timedOut)
    {
        var pending = _start!;
        _start = null;
        var answer = pending.Own with { Below = pending.Below.ToList() };
        if (pending.Collection != StartStatus.Ok)
        {
            answer = answer with { Collection = pending.Collection, ReportingChip = pending.Reporting };
        }
        else if (timedOut)
        {
            answer = answer with { Collection = StartStatus.DownstreamSilent };
        }
        Send(pending.UpstreamPort, MessageType.StartAck, pending.ReplyTo, answer.Encode());
        pending.AfterAnswer?.Invoke();
    }
}
