using System.Collections.Concurrent;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>
/// The module's end of the exchange with the device's processor (docs/protocol.md §5.12 to §5.16, §7.7): sends CONTROL
/// and OTA_NOTICE, matches CONTROL_REPLY and OTA_ANSWER to them, keeps the last BODY_STATUS. Frames go to the processor's
/// address, learnt from the source of the last frame it sent (0xFF, which no chip passes on, until one came).
/// </summary>
public sealed class ProcessorPort(Action<Frame> send, Func<byte> nextSequence, Action<string> log) : Network.IProcessorLink
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ControlReplyPayload>> _controls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<OtaAnswer>> _notices = new();
    private byte _address = Protocol.Framing.Address.Broadcast;
    private BodyStatusPayload? _bodyStatus;

    /// <inheritdoc />
    public event Action<BodyStatusPayload>? BodyStatusReported;

    /// <inheritdoc />
    public BodyStatusPayload? BodyStatus => Volatile.Read(ref _bodyStatus);

    /// <summary>The address frames for the processor go to (§7.7).</summary>
    public byte ProcessorAddress => Volatile.Read(ref _address);

    /// <summary>True for the types this port handles (processor → module, DST 0x00).</summary>
    public static bool Handles(Frame frame) =>
        frame.Destination == Protocol.Framing.Address.Module
        && frame.Type is MessageType.ControlReply or MessageType.BodyStatus or MessageType.OtaAnswer;

    /// <summary>Takes one frame from the processor.</summary>
    public void Receive(Frame frame)
    {
        switch (frame.Type)
        {
            case MessageType.ControlReply when ControlReplyPayload.TryDecode(frame.Payload, out var error) is { } reply:
                Learn(frame);
                if (_controls.TryRemove(reply.CommandId, out var control))
                {
                    control.TrySetResult(reply);
                }
                else
                {
                    log($"CONTROL_REPLY for command {reply.CommandId} from 0x{frame.Source:X2} dropped: no CONTROL of that id is waiting (late, or never sent)");
                }
                break;
            case MessageType.OtaAnswer when OtaAnswerPayload.TryDecode(frame.Payload, out var error) is { } answer:
                Learn(frame);
                if (_notices.TryRemove(answer.NoticeId, out var notice))
                {
                    notice.TrySetResult(answer.Answer == OtaAnswer.Accept ? OtaAnswer.Accept : OtaAnswer.Busy);
                }
                else
                {
                    log($"OTA_ANSWER for notice {answer.NoticeId} from 0x{frame.Source:X2} dropped: no OTA_NOTICE of that id is waiting");
                }
                break;
            case MessageType.BodyStatus when BodyStatusPayload.TryDecode(frame.Payload, out var error) is { } status:
                Learn(frame);
                Volatile.Write(ref _bodyStatus, status);
                log($"BODY_STATUS from 0x{frame.Source:X2}: power {(status.PowerOn ? "on" : "off")}, {(status.Operating ? "operating" : "not operating")}, mode '{status.Mode}'");
                BodyStatusReported?.Invoke(status);
                break;
            default:
                log($"{frame.Type} from 0x{frame.Source:X2} ignored: its payload does not decode (§5)");
                break;
        }
    }

    /// <summary>Also learns the processor's address from a PROVISION (§5.10).</summary>
    public void Learn(Frame frame) => Volatile.Write(ref _address, frame.Source);

    /// <inheritdoc />
    public async Task<ControlReplyPayload?> ControlAsync(ControlPayload command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiting = _controls.GetOrAdd(command.CommandId, _ => new TaskCompletionSource<ControlReplyPayload>(TaskCreationOptions.RunContinuationsAsynchronously));
        send(new Frame(MessageType.Control, ProcessorAddress, Protocol.Framing.Address.Module, nextSequence(), command.Encode()));
        try
        {
            return await waiting.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _controls.TryRemove(new KeyValuePair<string, TaskCompletionSource<ControlReplyPayload>>(command.CommandId, waiting));
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<OtaAnswer?> NoticeAsync(OtaNoticePayload notice, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiting = new TaskCompletionSource<OtaAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _notices[notice.NoticeId] = waiting;
        send(new Frame(MessageType.OtaNotice, ProcessorAddress, Protocol.Framing.Address.Module, nextSequence(), notice.Encode()));
        try
        {
            return await waiting.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _notices.TryRemove(new KeyValuePair<uint, TaskCompletionSource<OtaAnswer>>(notice.NoticeId, waiting));
            return null;
        }
    }
}
