using System.Security.Cryptography;
using HilRig.Bench.Flash;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Chip;

/// <summary>
/// The reference chip behaviour of docs/protocol.md, with no I/O of its own: the host feeds it decoded
/// frames and ticks, and it answers through <see cref="IChipOutput"/>. Volatile state (next expected
/// offset, a pending PREPARE) is lost on a power cut; everything else comes from flash at power-on.
/// </summary>
public sealed partial class ChipFirmware
{
    private readonly ChipConfig _config;
    private readonly NorFlash _flash;
    private readonly MemoryMarkStore _mark;
    private readonly IChipOutput _output;
    private byte _sequence;
    private uint _nextExpected;
    private PendingPrepare? _prepare;
    private readonly ChipDefect _defects;
    private long _forwardedFrames;
    private bool _asleepUnpersisted;

    /// <summary>Boots the chip from its flash: mode, slot and transfer progress come from the memory mark.</summary>
    public ChipFirmware(ChipConfig config, NorFlash flash, IChipOutput output, bool operating = false, ChipDefect defects = ChipDefect.None)
    {
        _defects = defects;
        _config = config;
        _flash = flash;
        _output = output;
        _mark = new MemoryMarkStore(flash, config.Layout, singleSlot: defects.HasFlag(ChipDefect.SingleSlotMark));
        Operating = operating;
        _nextExpected = Mark.Mode == ChipMode.Upgrade ? Mark.PersistedOffset : 0;
        _output.Log(Record(ChipRecord.Boot, Mark).Format());
    }

    /// <summary>The persisted memory mark.</summary>
    public MemoryMarkRecord Mark => _mark.Current;

    /// <summary>
    /// The current mode: always the persisted one, since modes change write-ahead (only the
    /// sleep-not-persisted defect sleeps without it).
    /// </summary>
    public ChipMode Mode => _asleepUnpersisted ? ChipMode.Sleep : Mark.Mode;

    /// <summary>Whether the device body is operating (blocks PREPARE).</summary>
    public bool Operating { get; private set; }

    /// <summary>When the host must call <see cref="Tick"/> next, if ever.</summary>
    public DateTimeOffset? NextDeadline =>
        _prepare is null ? _start?.Deadline : _start is null ? _prepare.Deadline
        : _prepare.Deadline < _start.Deadline ? _prepare.Deadline : _start.Deadline;

    /// <summary>Version of the image in the active slot (0.0.0 when the slot holds no valid header).</summary>
    public FirmwareVersion ActiveVersion =>
        ImageHeader.TryDecode(_flash.Read(_config.Layout.ImageSlotAddress(Mark.ActiveSlot), ImageHeader.SizeBytes), out _)?.Version ?? default;

    /// <summary>Handles one frame received on <paramref name="port"/> (0 = upstream).</summary>
    public void Receive(int port, DecodedFrame decoded, DateTimeOffset now)
    {
        var frame = decoded.Frame;
        if (Mode == ChipMode.Sleep)
        {
            // Sleep ignores all traffic except the COMPLETE that wakes it (docs/protocol.md §6.4).
            if (frame.Type == MessageType.Complete && CompletePayload.TryDecode(frame.Payload, out _) is not null)
            {
                OnComplete(port, decoded);
            }
            else if (frame.Type == MessageType.StartAck && _start is not null && frame.Destination == _config.ModelId)
            {
                // A chip that fell asleep on a START still collects its subtree's answers to that START (§6.4, §7.2).
                OnStartAck(port, frame);
            }
            else if (frame.Type == MessageType.Start && port == 0 && IsRepeatOfSleepingStart(frame))
            {
                // The START that put it to sleep, sent again (the module retries after a cut): answered again (§6.4).
                OnStart(port, decoded, now);
            }
            else if (_defects.HasFlag(ChipDefect.SleepAnswersStatus) && frame.Type == MessageType.StatusRequest && frame.Destination == _config.ModelId)
            {
                SendStatus(port, frame.Source);
            }
            return;
        }
        var forMe = frame.Destination == _config.ModelId || frame.Destination == Address.Broadcast;
        if (!forMe)
        {
            Forward(port, decoded);
            if (!_defects.HasFlag(ChipDefect.ActsOnOthersFrames))
            {
                return;
            }
        }
        switch (frame.Type)
        {
            case MessageType.Prepare: OnPrepare(port, frame, now); break;
            case MessageType.PrepareAck: OnPrepareAck(port, frame, now); break;
            case MessageType.Start: OnStart(port, decoded, now); break;
            case MessageType.StartAck: OnStartAck(port, frame); break;
            case MessageType.Data: OnData(port, frame); break;
            case MessageType.Complete when CompletePayload.TryDecode(frame.Payload, out _) is not null: OnComplete(port, decoded); break;
            case MessageType.StatusRequest: SendStatus(port, frame.Source); break;
            case MessageType.BenchSetOperating: OnSetOperating(port, frame); break;
            case MessageType.TransferOptions: OnTransferOptions(frame); break;
            default: _output.Log($"ignored {frame}"); break;
        }
    }

    /// <summary>Lets time-based work (the PREPARE and START deadlines) happen.</summary>
    public void Tick(DateTimeOffset now)
    {
        if (_prepare is not null && now >= _prepare.Deadline)
        {
            FinishPrepare(timedOut: true);
        }
        if (_start is not null && now >= _start.Deadline)
        {
            FinishStart(timedOut: true);
        }
    }

    /// <summary>A START for another chip of the campaign this sleeping chip completed (the one that put it to sleep).</summary>
    private bool IsRepeatOfSleepingStart(Frame frame) =>
        (frame.Destination == _config.ModelId || frame.Destination == Address.Broadcast)
        && StartPayload.TryDecode(frame.Payload, out _) is { } start && start.Target != _config.ModelId
        && Mark.State == UpgradeState.Done && Mark.CampaignId == start.CampaignId;

    /// <summary>
    /// Bytes the chip's decoder rejected on <paramref name="port"/>: dropped, as §3.3 says (the forwards-corrupt-frames
    /// defect passes them on like a frame).
    /// </summary>
    public void Reject(int port, byte[] raw)
    {
        if (_defects.HasFlag(ChipDefect.ForwardsCorruptFrames) && Mode is ChipMode.Initial or ChipMode.PassThrough)
        {
            Forward(port, new DecodedFrame(new Frame(MessageType.Data, 0, 0, 0, []), raw));
        }
    }

    private void Forward(int port, DecodedFrame decoded)
    {
        // The target is busy writing flash and forwards nothing (docs/protocol.md §6.3).
        if (Mode == ChipMode.Upgrade && !_defects.HasFlag(ChipDefect.UpgradeForwardsFrames))
        {
            return;
        }
        if (_defects.HasFlag(ChipDefect.PassThroughDropsFrames) && Mode == ChipMode.PassThrough && ++_forwardedFrames % 5 == 0)
        {
            return;
        }
        if (port == 0)
        {
            for (var p = 1; p <= _config.DownstreamPortCount; p++)
            {
                _output.Send(p, decoded.Raw);
            }
        }
        else
        {
            _output.Send(0, decoded.Raw);
        }
    }

    private void Send(int port, MessageType type, byte destination, byte[] payload)
    {
        var bytes = new Frame(type, destination, _config.ModelId, _sequence++, payload).Encode();
        if (_defects.HasFlag(ChipDefect.FrameLengthBigEndian))
        {
            // DEFECT: frame-length-big-endian. LEN and its complement go out high byte first; the CRC covers what is sent.
            (bytes[7], bytes[8]) = (bytes[8], bytes[7]);
            (bytes[9], bytes[10]) = (bytes[10], bytes[9]);
            var crc = Crc32.Compute(bytes.AsSpan(2, bytes.Length - 2 - Frame.TrailerSizeBytes));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - Frame.TrailerSizeBytes), crc);
        }
        _output.Send(port, bytes);
    }

    private void SendDownstream(MessageType type, byte destination, byte[] payload)
    {
        for (var p = 1; p <= _config.DownstreamPortCount; p++)
        {
            Send(p, type, destination, payload);
        }
    }

    private void SetMode(ChipMode mode)
    {
        if (Mark.Mode != mode)
        {
            WriteMark(Mark with { Mode = mode });
        }
    }

    private void WriteMark(MemoryMarkRecord record)
    {
        var stored = _mark.Write(record);
        _output.Log((Record(ChipRecord.Mark, stored) with { Sequence = stored.Sequence }).Format());
    }

    /// <summary>The chip's record line (docs/protocol.md §11.2) for a mark it booted from or wrote.</summary>
    private ChipRecord Record(string recordEvent, MemoryMarkRecord mark) =>
        new(recordEvent, mark.Mode, mark.ActiveSlot == 0 ? 'A' : 'B', ActiveVersion, mark.State, mark.CampaignId, mark.PersistedOffset)
        {
            ModelId = _config.ModelId, ImageSizeBytes = mark.ImageSizeBytes,
        };

    private void SendStatus(int port, byte destination)
    {
        var m = Mark;
        var version = ActiveVersion;
        if (_defects.HasFlag(ChipDefect.StatusReportsPendingVersion) && m.Mode == ChipMode.Upgrade && _pendingVersion is { } pending)
        {
            // DEFECT: status-reports-pending-version. The image being received is reported as the one that runs.
            version = pending;
        }
        var status = new StatusPayload(m.Mode, m.ActiveSlot, version, m.State, Operating, m.CampaignId, m.PersistedOffset, m.ImageSizeBytes, ActiveDigest());
        // DEFECT: answers-upstream. The answer goes up whatever port the request came in on.
        Send(_defects.HasFlag(ChipDefect.AnswersUpstream) ? 0 : port, MessageType.StatusResponse, destination, status.Encode());
    }

    private void OnSetOperating(int port, Frame frame)
    {
        var payload = BenchSetOperatingPayload.TryDecode(frame.Payload, out var error);
        if (payload is null)
        {
            _output.Log($"bad BENCH_SET_OPERATING: {error}");
            return;
        }
        Operating = payload.Operating;
        SendStatus(port, frame.Source);
    }

    private void OnComplete(int port, DecodedFrame decoded)
    {
        // Every chip returns to initial (write-ahead), then passes the completion on to every other port,
        // so sleeping chips below and pass-through chips above all wake (docs/protocol.md §6.5).
        _asleepUnpersisted = false;
        var markAfterActing = _defects.HasFlag(ChipDefect.MarkAfterActing);
        if (!markAfterActing)
        {
            SetMode(ModeMachine.Next(Mark.Mode, ModeEvent.Complete));
        }
        for (var p = 0; p <= _config.DownstreamPortCount && !_defects.HasFlag(ChipDefect.CompleteNotFlooded); p++)
        {
            // (DEFECT: complete-not-flooded skips this loop: the COMPLETE stops here.)
            if (p != port)
            {
                _output.Send(p, decoded.Raw);
            }
        }
        if (markAfterActing)
        {
            // DEFECT: mark-after-acting. The COMPLETE is flooded before INITIAL is persisted.
            SetMode(ModeMachine.Next(Mark.Mode, ModeEvent.Complete));
        }
    }

    /// <summary>SHA-256 of the active slot's body, computed from flash (zeros without a valid image).</summary>
    private byte[] ActiveDigest()
    {
        var slot = _config.Layout.ImageSlotAddress(Mark.ActiveSlot);
        var header = ImageHeader.TryDecode(_flash.Read(slot, ImageHeader.SizeBytes), out _);
        if (header is null || header.ImageSizeBytes > _config.Layout.SlotSizeBytes)
        {
            return new byte[32];
        }
        return SHA256.HashData(_flash.Read(slot + ImageHeader.SizeBytes, (int)header.BodySizeBytes));
    }

    private static bool SameImage(MemoryMarkRecord mark, uint campaign, ImageHeader header) =>
        mark.CampaignId == campaign && mark.ImageDigest.AsSpan().SequenceEqual(header.BodySha256);

    private byte[] ReadInactiveSlot(int count) =>
        _flash.Read(_config.Layout.ImageSlotAddress(1 - Mark.ActiveSlot), count).ToArray();

    private static bool DigestMatches(ImageHeader header, byte[] image) =>
        SHA256.HashData(image.AsSpan(ImageHeader.SizeBytes, (int)header.BodySizeBytes)).AsSpan().SequenceEqual(header.BodySha256);
}
