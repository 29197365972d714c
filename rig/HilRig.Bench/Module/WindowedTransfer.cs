using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>
/// The sender side of the windowed transfer (docs/protocol.md §7.3): keeps up to a window of bytes
/// beyond the target's persisted offset on the line, goes back to the target's next expected offset on
/// an out-of-order answer, and to the persisted offset after a silence.
/// </summary>
internal sealed class WindowedTransfer(IChainPort port, CampaignRequest campaign, byte chip, byte[] image, Action<ModuleEvent> report)
{
    public long BytesSent { get; private set; }

    /// <summary>Sends from <paramref name="resumeOffset"/> to the end; returns COMPLETE, or null when the target fell silent.</summary>
    public async Task<CompletePayload?> RunAsync(uint resumeOffset, Func<byte> nextSequence, CancellationToken token)
    {
        long acked = resumeOffset;
        long sendOffset = resumeOffset;
        long lastRewind = -1;
        var silentTries = 0;
        var nextReport = image.Length / 4;
        while (true)
        {
            while (sendOffset < image.Length)
            {
                var count = (int)Math.Min(campaign.ChunkBytes, image.Length - sendOffset);
                if (sendOffset + count > acked + campaign.WindowBytes)
                {
                    break;
                }
                var payload = new DataPayload((uint)sendOffset, image.AsSpan((int)sendOffset, count).ToArray()).Encode();
                port.Send(new Frame(MessageType.Data, chip, Address.Module, nextSequence(), payload));
                sendOffset += count;
                BytesSent += count;
            }
            var timeout = acked >= image.Length ? ChainUpgrade.CompleteTimeout : ChainUpgrade.DataAckTimeout;
            var frame = await port.ReceiveAsync(timeout, token).ConfigureAwait(false);
            if (frame is null)
            {
                if (++silentTries >= ChainUpgrade.MaxTries || acked >= image.Length)
                {
                    return null;
                }
                sendOffset = acked;
                lastRewind = -1;
                continue;
            }
            if (frame.Source != chip)
            {
                continue;
            }
            if (frame.Type == MessageType.Complete && CompletePayload.TryDecode(frame.Payload, out _) is { } complete)
            {
                return complete;
            }
            if (frame.Type != MessageType.DataAck || DataAckPayload.TryDecode(frame.Payload, out _) is not { } ack)
            {
                continue;
            }
            silentTries = 0;
            if (ack.Persisted > acked)
            {
                acked = ack.Persisted;
                if (acked >= nextReport)
                {
                    report(new ModuleEvent("progress") { Chip = chip, Offset = acked, SizeBytes = image.Length });
                    nextReport += image.Length / 4;
                }
            }
            if (ack.Status == DataStatus.NotTarget)
            {
                return null;
            }
            if (ack.Status == DataStatus.OutOfOrder && ack.Next < sendOffset && ack.Next != lastRewind)
            {
                sendOffset = ack.Next;
                lastRewind = ack.Next;
            }
        }
    }
}
