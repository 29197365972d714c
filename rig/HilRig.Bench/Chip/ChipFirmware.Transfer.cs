using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Chip;

public sealed partial class ChipFirmware
{
    private void OnStart(int port, DecodedFrame decoded)
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
        if (start.Target != _config.ModelId)
        {
            // Chips already upgraded in this campaign sleep; the others pass traffic through
            // (docs/protocol.md §6.2). The mark is written before the chip acts on the new mode.
            var upgraded = Mark.State == UpgradeState.Done && Mark.CampaignId == start.CampaignId;
            var mode = upgraded ? ChipMode.Sleep : ChipMode.PassThrough;
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
            Send(port, MessageType.StartAck, frame.Source, new StartAckPayload(start.CampaignId, _config.ModelId, mode, 0, StartStatus.Ok).Encode());
            // START travels on to every chip, so the chips beyond learn their mode too; after this a
            // sleeping chip ignores everything but COMPLETE.
            for (var p = 1; p <= _config.DownstreamPortCount; p++)
            {
                _output.Send(p, decoded.Raw);
            }
            if (changed && markAfterActing)
            {
                // DEFECT: mark-after-acting. START_ACK and START are out before the mode they announce is persisted.
                WriteMark(next);
            }
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
            SetMode(ChipMode.Initial);
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
            Mode = ChipMode.Upgrade, State = UpgradeState.Receiving, CampaignId = start.CampaignId,
            PersistedOffset = 0, ImageSizeBytes = header!.ImageSizeBytes, ImageDigest = header.BodySha256,
        };
        var writeAfterActing = !resuming && _defects.HasFlag(ChipDefect.MarkAfterActing);
        if (!resuming && !writeAfterActing)
        {
            WriteMark(target);
        }
        _nextExpected = target.PersistedOffset;
        Send(port, MessageType.StartAck, frame.Source, new StartAckPayload(start.CampaignId, _config.ModelId, ChipMode.Upgrade, target.PersistedOffset, StartStatus.Ok).Encode());
        // The target still passes START on downstream, so the chips beyond it that are already
        // upgraded learn it and sleep (docs/protocol.md §6.2); after this it forwards nothing.
        for (var p = 1; p <= _config.DownstreamPortCount; p++)
        {
            _output.Send(p, decoded.Raw);
        }
        if (writeAfterActing)
        {
            // DEFECT: mark-after-acting. START_ACK and START are out before UPGRADE is persisted.
            WriteMark(target);
        }
        if (Mark.PersistedOffset == Mark.ImageSizeBytes)
        {
            VerifyAndActivate();
        }
    }

    private void OnData(int port, Frame frame)
    {
        var data = DataPayload.TryDecode(frame.Payload, out var error);
        if (data is null)
        {
            _output.Log($"bad DATA: {error}");
            return;
        }
        if (Mode != ChipMode.Upgrade || Mark.State != UpgradeState.Receiving)
        {
            SendDataAck(port, frame.Source, DataStatus.NotTarget);
            return;
        }
        var end = (long)data.Offset + data.Bytes.Length;
        if (data.Offset > _nextExpected || end > Mark.ImageSizeBytes)
        {
            SendDataAck(port, frame.Source, DataStatus.OutOfOrder);
            return;
        }
        if (data.Offset < _nextExpected)
        {
            // A duplicate of bytes already written (a resent window); acknowledge without writing.
            SendDataAck(port, frame.Source, DataStatus.Ok);
            return;
        }
        WriteImageBytes(data.Offset, data.Bytes);
        _nextExpected = (uint)end;
        var sector = (uint)_config.Layout.SectorSizeBytes;
        var complete = _nextExpected == Mark.ImageSizeBytes;
        var persistable = complete ? _nextExpected : _nextExpected / sector * sector;
        if (persistable > Mark.PersistedOffset)
        {
            WriteMark(Mark with { PersistedOffset = persistable });
        }
        SendDataAck(port, frame.Source, DataStatus.Ok);
        if (complete)
        {
            VerifyAndActivate();
        }
    }

    private void WriteImageBytes(uint offset, byte[] bytes)
    {
        var slotBase = _config.Layout.ImageSlotAddress(1 - Mark.ActiveSlot);
        var sector = _config.Layout.SectorSizeBytes;
        // Erase every sector whose first byte this write covers; a resumed transfer always restarts
        // at a sector boundary, so a sector half-written before a cut is erased again (§10).
        var firstSector = (offset + sector - 1) / sector * sector;
        for (var s = firstSector; s < offset + bytes.Length; s += (uint)sector)
        {
            _flash.EraseSector(slotBase + (int)s);
        }
        _flash.Program(slotBase + (int)offset, bytes);
    }

    private void SendDataAck(int port, byte destination, DataStatus status)
    {
        if (_defects.HasFlag(ChipDefect.AcksEveryOtherData) && ++_dataAcks % 2 == 0)
        {
            // DEFECT: acks-every-other-data. Every second DATA goes unanswered.
            return;
        }
        Send(port, MessageType.DataAck, destination, new DataAckPayload(Mark.PersistedOffset, _nextExpected, status).Encode());
    }

    private long _dataAcks;
    private FirmwareVersion? _pendingVersion;

    private void VerifyAndActivate()
    {
        var image = ReadInactiveSlot((int)Mark.ImageSizeBytes);
        var header = ImageHeader.TryDecode(image, out var error);
        CompleteStatus status;
        if (_defects.HasFlag(ChipDefect.ActivateBeforeDigestCheck))
        {
            // DEFECT: activate-before-digest-check. The slot flips as soon as the last byte is persisted, unchecked.
            status = CompleteStatus.Activated;
        }
        else if (header is null || header.ModelId != _config.ModelId || header.ImageSizeBytes != Mark.ImageSizeBytes)
        {
            _output.Log($"received image rejected: {error ?? "header does not match START"}");
            status = CompleteStatus.BadHeader;
        }
        else if (!DigestMatches(header, image) || !header.BodySha256.AsSpan().SequenceEqual(Mark.ImageDigest))
        {
            _output.Log("received image rejected: SHA-256 of the body differs from the header");
            status = CompleteStatus.DigestMismatch;
        }
        else
        {
            status = CompleteStatus.Activated;
        }
        // Activation is this one mark write: the active slot flips only after the digest checked out.
        WriteMark(status == CompleteStatus.Activated
            ? Mark with { Mode = ChipMode.Initial, State = UpgradeState.Done, ActiveSlot = (byte)(1 - Mark.ActiveSlot) }
            : Mark with { Mode = ChipMode.Initial, State = UpgradeState.Failed });
        SendComplete(Mark.CampaignId, status);
    }

    private void SendComplete(uint campaign, CompleteStatus status)
    {
        var payload = new CompletePayload(campaign, _config.ModelId, status, ActiveVersion).Encode();
        Send(0, MessageType.Complete, Address.Broadcast, payload);
        SendDownstream(MessageType.Complete, Address.Broadcast, payload);
    }
}
