using HilRig.Protocol.Cloud;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module.Network;

/// <summary>
/// What the module relays between its servers and the device's processor (docs/protocol.md §7.7, docs/cloud.md §3.5):
/// the device body's control commands go to the processor and its reply comes back; an OTA instruction is announced to
/// the processor first and held while it answers BUSY.
/// </summary>
public sealed class ProcessorRelay(IProcessorLink processor, Action<string> log, ModuleDefect defects)
{
    /// <summary>How long the module waits for CONTROL_REPLY (docs/protocol.md §7.5).</summary>
    public static readonly TimeSpan ControlReplyTimeout = TimeSpan.FromMilliseconds(3000);

    /// <summary>How long the module waits for OTA_ANSWER before it proceeds (docs/protocol.md §7.5).</summary>
    public static readonly TimeSpan OtaAnswerTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a held upgrade is announced again while the processor answers BUSY (docs/protocol.md §7.5).</summary>
    public static readonly TimeSpan OtaNoticeRetryInterval = TimeSpan.FromMilliseconds(2000);

    /// <summary>The processor's link (its last BODY_STATUS, its event).</summary>
    public IProcessorLink Processor => processor;

    /// <summary>True for the commands the module answers itself (docs/cloud.md §3.1); every other one is the device body's.</summary>
    public bool AnswersItself(string name) =>
        name is "ping" or "get-status" || (defects.HasFlag(ModuleDefect.AnswerBodyCommandsItself) && name is "set-power" or "set-mode");

    /// <summary>Hands a command of the device body to the processor and turns its CONTROL_REPLY (or silence) into the vendor's reply.</summary>
    public async Task<CommandReply> ControlAsync(ControlCommand command, CancellationToken token)
    {
        ControlPayload control;
        try
        {
            control = new ControlPayload(command.CommandId, command.Name, command.Argument ?? "");
            control.Encode();
        }
        catch (ArgumentException ex)
        {
            return new CommandReply(command.CommandId, false, $"'{command.Name}' does not fit a CONTROL frame (docs/protocol.md §5.12): {ex.Message}");
        }
        log($"command {command.CommandId} ({command.Name} {command.Argument}) handed to the processor (CONTROL)");
        var reply = await processor.ControlAsync(control, ControlReplyTimeout, token).ConfigureAwait(false);
        if (reply is null)
        {
            log($"command {command.CommandId} ({command.Name}): no CONTROL_REPLY within {ControlReplyTimeout.TotalMilliseconds:0} ms");
            return new CommandReply(command.CommandId, false,
                $"timeout: the device's processor did not answer '{command.Name}' within {ControlReplyTimeout.TotalMilliseconds:0} ms");
        }
        log($"command {command.CommandId} ({command.Name}): CONTROL_REPLY ok={reply.Ok} '{reply.Result}'");
        return new CommandReply(command.CommandId, reply.Ok, reply.Result);
    }

    /// <summary>
    /// Announces an OTA instruction to the processor and returns when the upgrade may go ahead: at once on ACCEPT or on
    /// silence (a processor without 1.2 gives no answer); while it answers BUSY the upgrade is held, <paramref name="deferred"/>
    /// is published once, and the notice is sent again every <see cref="OtaNoticeRetryInterval"/>.
    /// </summary>
    public async Task AnnounceAsync(OtaNoticePayload notice, Action<string> deferred, CancellationToken token)
    {
        var what = notice.Kind == OtaNoticeKind.Module ? $"the module's own upgrade to {notice.Images[0].Version}" : $"chip campaign {notice.NoticeId}";
        var held = false;
        while (true)
        {
            var answer = await processor.NoticeAsync(notice, OtaAnswerTimeout, token).ConfigureAwait(false);
            if (answer is null)
            {
                log($"OTA_NOTICE for {what}: no OTA_ANSWER within {OtaAnswerTimeout.TotalMilliseconds:0} ms; going ahead (a processor without protocol 1.2 gives none)");
                return;
            }
            if (answer == OtaAnswer.Accept)
            {
                log($"OTA_NOTICE for {what}: the processor accepts{(held ? " after holding it" : "")}");
                return;
            }
            if (!held)
            {
                held = true;
                deferred($"the device's processor answers BUSY (the device body is operating): {what} is held and announced again every {OtaNoticeRetryInterval.TotalMilliseconds:0} ms");
            }
            log($"OTA_NOTICE for {what}: the processor answers BUSY; asking again in {OtaNoticeRetryInterval.TotalMilliseconds:0} ms");
            await Task.Delay(OtaNoticeRetryInterval, token).ConfigureAwait(false);
        }
    }

    /// <summary>The notice id of the module's own upgrade: CRC-32 of the instruction id (never 0), so a repeat of one instruction carries the same id.</summary>
    public static uint NoticeId(string instructionId)
    {
        var crc = Protocol.Framing.Crc32.Compute(System.Text.Encoding.UTF8.GetBytes(instructionId));
        return crc == 0 ? 1 : crc;
    }
}
