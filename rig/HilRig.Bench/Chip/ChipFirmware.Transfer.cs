using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

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
