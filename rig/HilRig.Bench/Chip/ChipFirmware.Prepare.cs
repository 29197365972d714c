using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Bench.Chip;

public sealed partial class ChipFirmware
{
    private sealed class PendingPrepare(int upstreamPort, byte replyTo, uint campaign, DateTimeOffset deadline)
    {
        public int UpstreamPort { get; } = upstreamPort;
        public byte ReplyTo { get; } = replyTo;
        public uint Campaign { get; } = campaign;
        public DateTimeOffset Deadline { get; } = deadline;
        public HashSet<int> Answered { get; } = new();
        public List<TopologyEntry> Chips { get; } = new();
        public PrepareStatus Status { get; set; } = PrepareStatus.Ready;
        public byte Reporting { get; set; }
    }

    private TopologyEntry Self => new(_config.ModelId, Address.Module, Mode, ActiveVersion);

    private void OnPrepare(int port, Frame frame, DateTimeOffset now)
    {
        var payload = PreparePayload.TryDecode(frame.Payload, out var error);
        if (payload is null)
        {
            _output.Log($"bad PREPARE: {error}");
            return;
        }
        if (Mode != ChipMode.Initial && Mark.CampaignId != payload.CampaignId)
        {
            // A PREPARE for another campaign means the module gave up the old one (it never re-prepares a
            // campaign it is resuming): leave the stale mode so the chain is not locked out for good.
            _output.Log($"PREPARE of campaign {payload.CampaignId} abandons campaign {Mark.CampaignId} ({Mode})");
            WriteMark(Mark with { Mode = ModeMachine.Next(Mode, ModeEvent.PrepareOfAnotherCampaign), State = Mark.State == UpgradeState.Done ? UpgradeState.Done : UpgradeState.Idle });
        }
        PrepareStatus? refusal = Operating ? PrepareStatus.RefusedOperating
            : Mode != ChipMode.Initial ? PrepareStatus.RefusedBusy
            : null;
        var budgetMs = payload.BudgetMs - ChipConfig.PrepareMarginMs;
        // (DEFECT: prepare-answers-alone answers at once, as if it had no chip below.)
        if (refusal is not null || _config.DownstreamPortCount == 0 || budgetMs <= ChipConfig.PrepareMarginMs || _defects.HasFlag(ChipDefect.PrepareAnswersAlone))
        {
            var status = refusal ?? (_config.DownstreamPortCount == 0 || _defects.HasFlag(ChipDefect.PrepareAnswersAlone) ? PrepareStatus.Ready : PrepareStatus.DownstreamSilent);
            var answer = new PrepareAckPayload(payload.CampaignId, status, _config.ModelId, [Self]);
            Send(port, MessageType.PrepareAck, frame.Source, answer.Encode());
            return;
        }
        _prepare = new PendingPrepare(port, frame.Source, payload.CampaignId, now.AddMilliseconds(budgetMs))
        {
            Reporting = _config.ModelId,
        };
        _prepare.Chips.Add(Self);
        SendDownstream(MessageType.Prepare, Address.Broadcast, new PreparePayload(payload.CampaignId, (ushort)budgetMs).Encode());
    }

    private void OnPrepareAck(int port, Frame frame, DateTimeOffset now)
    {
        var payload = PrepareAckPayload.TryDecode(frame.Payload, out var error);
        if (_prepare is null || payload is null || port == 0 || payload.CampaignId != _prepare.Campaign)
        {
            _output.Log(payload is null ? $"bad PREPARE_ACK: {error}" : "PREPARE_ACK without a pending PREPARE, ignored");
            return;
        }
        if (!_prepare.Answered.Add(port))
        {
            _output.Log($"second PREPARE_ACK on port {port} ignored");
            return;
        }
        foreach (var chip in payload.Chips)
        {
            // A child reports its parent as 0x00; the chip that collects the answer is that parent.
            _prepare.Chips.Add(chip.ParentId == Address.Module ? chip with { ParentId = _config.ModelId } : chip);
        }
        // (DEFECT: prepare-hides-refusal never takes a refusal from below.)
        if (payload.Status != PrepareStatus.Ready && _prepare.Status == PrepareStatus.Ready && !_defects.HasFlag(ChipDefect.PrepareHidesRefusal))
        {
            _prepare.Status = payload.Status;
            _prepare.Reporting = payload.ReportingChip;
        }
        if (_prepare.Answered.Count == _config.DownstreamPortCount)
        {
            FinishPrepare(timedOut: false);
        }
        _ = now;
    }

    private void FinishPrepare(bool timedOut)
    {
        var pending = _prepare!;
        _prepare = null;
        if (timedOut && pending.Status == PrepareStatus.Ready)
        {
            pending.Status = PrepareStatus.DownstreamSilent;
            pending.Reporting = _config.ModelId;
        }
        var answer = new PrepareAckPayload(pending.Campaign, pending.Status, pending.Reporting, pending.Chips);
        Send(pending.UpstreamPort, MessageType.PrepareAck, pending.ReplyTo, answer.Encode());
    }
}
