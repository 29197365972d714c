using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>
/// The sender side of the windowed transfer (docs/protocol.md §7.3): keeps up to a window of bytes
/// beyond the target's persisted offset on the line, goes back to the target's next expected offset on
/// an out-of-order answer, and after a silence stops, asks the target STATUS until it answers and resumes from the
/// persisted offset it reports.
/// </summary>
internal sealed class WindowedTransfer(IChainPort port, CampaignRequest campaign, byte chip, byte[] image, Action<ModuleEvent> report)
{
    public long BytesSent { get; private set; }

    /// <summary>Sends from <paramref name="resumeOffset"/> to the end; returns COMPLETE, or null when the target fell silent or made no progress.</summary>
    public async Task<CompletePayload?> RunAsync(uint resumeOffset, Func<byte> nextSequence, CancellationToken token)
    {
        long acked = resumeOffset;      // highest persisted offset the target reported
        long next = resumeOffset;       // highest next-expected offset the target reported
        long sendOffset = resumeOffset;
        var rewind = new GoBack();
        var selective = new SelectiveResend(campaign.ChunkBytes, image.Length);
        var resentOnSilence = false;
        var stalledTimeouts = 0;
        var nextReport = image.Length / 4;
        OfferSelectiveAck(nextSequence);
        while (true)
        {
            // Selective acknowledgement: the frames known lost go first, then new frames while the window allows (§7.3.1).
            var window = selective.Active ? Math.Min(campaign.WindowBytes, SelectiveAck.Frames * campaign.ChunkBytes) : campaign.WindowBytes;
            while (selective.TakeQueued() is { } lost)
            {
                SendFrame(lost, selective, nextSequence);
            }
            while (sendOffset < image.Length)
            {
                var end = selective.FrameEnd(sendOffset);
                if (end > acked + window)
                {
                    break;
                }
                SendFrame(sendOffset, selective, nextSequence);
                sendOffset = end;
            }
            var shortSilence = selective.HoldsBeyondGap && !resentOnSilence && acked < image.Length && selective.AnyMissing(sendOffset);
            var timeout = acked >= image.Length ? ChainUpgrade.CompleteTimeout
                : shortSilence ? ChainUpgrade.SelectiveResendTimeout : ChainUpgrade.DataAckTimeout;
            var frame = await port.ReceiveAsync(timeout, token).ConfigureAwait(false);
            if (frame is null && shortSilence)
            {
                // Frames were lost and the line went quiet: the last ones sent may be lost too. One frame, sent again, finds out (§7.3.1).
                selective.QueueLowestMissing(sendOffset);
                resentOnSilence = true;
                continue;
            }
            if (frame is null)
            {
                if (acked >= image.Length)
                {
                    return null;
                }
                // Silence: stop streaming into a chip that may be off, ask it where it stands, and resume from the
                // persisted offset it reports (§7.3 rule 3), so nothing beyond one window is ever sent twice.
                var (status, completed) = await ProbeAsync(nextSequence, token).ConfigureAwait(false);
                if (completed is not null)
                {
                    return completed;
                }
                if (status is null || status.Mode != ChipMode.Upgrade || status.State != UpgradeState.Receiving
                    || status.CampaignId != campaign.CampaignId || status.ImageSizeBytes != image.Length)
                {
                    // Silent for the whole probe, or no longer receiving this image: START decides (§7.5).
                    return null;
                }
                if (status.PersistedOffset > acked)
                {
                    stalledTimeouts = 0;
                }
                else if (++stalledTimeouts >= ChainUpgrade.MaxTries)
                {
                    return null;
                }
                report(new ModuleEvent("transfer-resumed") { Chip = chip, Offset = status.PersistedOffset, SizeBytes = image.Length });
                acked = status.PersistedOffset;
                next = status.PersistedOffset;
                sendOffset = status.PersistedOffset;
                rewind.Reset();
                // The target may have rebooted and forgotten the options and what it held (§7.3.1).
                selective.Reset();
                resentOnSilence = false;
                OfferSelectiveAck(nextSequence);
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
            resentOnSilence = false;
            if (ack.Persisted > acked)
            {
                acked = ack.Persisted;
                stalledTimeouts = 0;
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
            next = ack.Next;
            if (ack.Selective is { } held)
            {
                selective.OnAck(ack.Next, held, sendOffset);
                continue;
            }
            if (ack.Status == DataStatus.OutOfOrder && ack.Next < sendOffset && rewind.ShouldGoBackTo(ack.Next, sendOffset, campaign.ChunkBytes))
            {
                sendOffset = ack.Next;
            }
        }
    }

    private void SendFrame(long offset, SelectiveResend selective, Func<byte> nextSequence)
    {
        var count = (int)(selective.FrameEnd(offset) - offset);
        var payload = new DataPayload((uint)offset, image.AsSpan((int)offset, count).ToArray()).Encode();
        port.Send(new Frame(MessageType.Data, chip, Address.Module, nextSequence(), payload));
        selective.Sent(offset);
        BytesSent += count;
    }

    /// <summary>
    /// TRANSFER_OPTIONS (1.2, §7.3.1) before the first DATA of every start or resume: a 1.2 target answers with 21-byte DATA_ACKs
    /// from then on, a 1.1 target ignores it and the transfer stays go-back-N.
    /// </summary>
    private void OfferSelectiveAck(Func<byte> nextSequence)
    {
        var options = new TransferOptionsPayload(campaign.CampaignId, TransferFlags.SelectiveAck, (ushort)campaign.ChunkBytes);
        port.Send(new Frame(MessageType.TransferOptions, chip, Address.Module, nextSequence(), options.Encode()));
    }

    /// <summary>
    /// Sends STATUS_REQ to the target every <see cref="ChainUpgrade.StatusProbeTimeout"/> until it answers, for at most
    /// <see cref="ChainUpgrade.StatusProbeTries"/> tries (§7.3 rule 3, §7.5). DATA_ACKs still coming up from frames sent
    /// before the silence are dropped: the STATUS answer, written after them, says more. A COMPLETE from the target ends it.
    /// </summary>
    private async Task<(StatusPayload? Status, CompletePayload? Complete)> ProbeAsync(Func<byte> nextSequence, CancellationToken token)
    {
        for (var attempt = 1; attempt <= ChainUpgrade.StatusProbeTries; attempt++)
        {
            port.Send(new Frame(MessageType.StatusRequest, chip, Address.Module, nextSequence(), []));
            var deadline = DateTimeOffset.UtcNow + ChainUpgrade.StatusProbeTimeout;
            while (DateTimeOffset.UtcNow < deadline)
            {
                var frame = await port.ReceiveAsync(deadline - DateTimeOffset.UtcNow, token).ConfigureAwait(false);
                if (frame is null || frame.Source != chip)
                {
                    continue;
                }
                if (frame.Type == MessageType.Complete && CompletePayload.TryDecode(frame.Payload, out _) is { } complete
                    && complete.CampaignId == campaign.CampaignId)
                {
                    return (null, complete);
                }
                if (frame.Type == MessageType.StatusResponse && StatusPayload.TryDecode(frame.Payload, out _) is { } status)
                {
                    return (status, null);
                }
            }
        }
        return (null, null);
    }

    /// <summary>
    /// Decides when an OUT_OF_ORDER answer calls for going back. Frames already on the line when the
    /// sender went back to an offset each still produce one stale OUT_OF_ORDER for that same offset;
    /// only an answer beyond those means the resent frame was lost as well, and calls for another go-back.
    /// </summary>
    private sealed class GoBack
    {
        private long _offset = -1;
        private long _staleAnswers;

        public void Reset() => _offset = -1;

        public bool ShouldGoBackTo(long offset, long sendOffset, int chunkBytes)
        {
            if (offset == _offset && --_staleAnswers >= 0)
            {
                return false;
            }
            _offset = offset;
            _staleAnswers = (sendOffset - offset + chunkBytes - 1) / chunkBytes;
            return true;
        }
    }
}
