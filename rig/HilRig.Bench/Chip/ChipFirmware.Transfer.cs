using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Bench.Chip;

public sealed partial class ChipFirmware
{
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
        if (end > Mark.ImageSizeBytes)
        {
            SendDataAck(port, frame.Source, DataStatus.OutOfOrder, data.Offset);
            return;
        }
        if (data.Offset > _nextExpected)
        {
            // Under selective acknowledgement a whole frame of the window beyond the gap is kept (§7.3.1); otherwise, or
            // off the grid or beyond the bitmap, nothing is written and the sender goes back.
            if (_held is null || !_held.Accepts(data.Offset, data.Bytes.Length, _nextExpected, Mark.ImageSizeBytes))
            {
                SendDataAck(port, frame.Source, DataStatus.OutOfOrder, data.Offset);
                return;
            }
            if (!_held.Contains(data.Offset))
            {
                if (_defects.HasFlag(ChipDefect.SelectiveAckClaimsUnwrittenFrames) && ++_heldFrames % 3 == 0)
                {
                    // DEFECT: selective-ack-claims-unwritten-frames. Every third frame kept beyond the gap is reported held, never written.
                }
                else
                {
                    WriteImageBytes(data.Offset, data.Bytes);
                }
                _held.Add(data.Offset);
            }
            SendDataAck(port, frame.Source, DataStatus.Ok, data.Offset);
            return;
        }
        if (data.Offset < _nextExpected)
        {
            // A duplicate of bytes already written (a resent window); acknowledge without writing.
            SendDataAck(port, frame.Source, DataStatus.Ok, data.Offset);
            return;
        }
        // Bytes the chip already holds beyond the gap are not programmed twice.
        var writeEnd = _held?.FirstFrom(data.Offset) is { } heldFrom && heldFrom < end ? heldFrom : end;
        WriteImageBytes(data.Offset, data.Bytes.AsSpan(0, (int)(writeEnd - data.Offset)).ToArray());
        _nextExpected = (uint)writeEnd;
        if (_held is not null)
        {
            _nextExpected = _held.Absorb(_nextExpected, Mark.ImageSizeBytes);
        }
        var sector = (uint)_config.Layout.SectorSizeBytes;
        var complete = _nextExpected == Mark.ImageSizeBytes;
        var persistable = complete ? _nextExpected : _nextExpected / sector * sector;
        if (persistable > Mark.PersistedOffset)
        {
            WriteMark(Mark with { PersistedOffset = persistable });
        }
        SendDataAck(port, frame.Source, DataStatus.Ok, data.Offset);
        if (complete)
        {
            _held = null;
            VerifyAndActivate();
        }
    }

    private void WriteImageBytes(uint offset, byte[] bytes)
    {
        var slotBase = _config.Layout.ImageSlotAddress(1 - Mark.ActiveSlot);
        var sector = _config.Layout.SectorSizeBytes;
        // Erase every sector this write touches that nothing of this boot was written to yet: one that starts at or after
        // the next expected offset and holds no frame kept beyond the gap (§10.2). A resumed transfer always restarts at a
        // sector boundary, so a sector half-written before a cut is erased again (§10).
        var next = (long)_nextExpected;
        var firstSector = Math.Max(offset / sector * sector, (next + sector - 1) / sector * sector);
        for (var s = firstSector; s < offset + bytes.Length; s += sector)
        {
            if (_held is null || !_held.Overlaps(s, s + sector))
            {
                _flash.EraseSector(slotBase + (int)s);
            }
        }
        _flash.Program(slotBase + (int)offset, bytes);
    }

    /// <summary>
    /// TRANSFER_OPTIONS (1.2, §7.3.1): a target receiving this campaign's image switches to selective acknowledgement (or back);
    /// frames held under earlier options are forgotten. A chip built for 1.1 ignores the message like any unknown type.
    /// </summary>
    private void OnTransferOptions(Frame frame)
    {
        if (!_config.SelectiveAck || TransferOptionsPayload.TryDecode(frame.Payload, out _) is not { } options
            || Mode != ChipMode.Upgrade || Mark.State != UpgradeState.Receiving || options.CampaignId != Mark.CampaignId)
        {
            _output.Log($"ignored {frame}");
            return;
        }
        _held = options.Flags.HasFlag(TransferFlags.SelectiveAck) ? new HeldFrames(options.UnitBytes) : null;
    }

    private void SendDataAck(int port, byte destination, DataStatus status, uint answeredOffset = 0)
    {
        if (_defects.HasFlag(ChipDefect.AcksEveryOtherData) && ++_dataAcks % 2 == 0)
        {
            // DEFECT: acks-every-other-data. Every second DATA goes unanswered.
            return;
        }
        var ack = new DataAckPayload(Mark.PersistedOffset, _nextExpected, status)
        {
            Selective = _held is null ? null : new SelectiveAck(answeredOffset, _held.Bitmap(_nextExpected)),
        };
        Send(port, MessageType.DataAck, destination, ack.Encode());
    }

    private long _dataAcks;
    private long _heldFrames;
    private HeldFrames? _held;
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
            ? Mark with { Mode = ModeMachine.Next(Mark.Mode, ModeEvent.TransferEnded), State = UpgradeState.Done, ActiveSlot = (byte)(1 - Mark.ActiveSlot) }
            : Mark with { Mode = ModeMachine.Next(Mark.Mode, ModeEvent.TransferEnded), State = UpgradeState.Failed });
        SendComplete(Mark.CampaignId, status);
    }

    private void SendComplete(uint campaign, CompleteStatus status)
    {
        var payload = new CompletePayload(campaign, _config.ModelId, status, ActiveVersion).Encode();
        Send(0, MessageType.Complete, Address.Broadcast, payload);
        SendDownstream(MessageType.Complete, Address.Broadcast, payload);
    }
}
