using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>The module's end of the chain: frames out, frames addressed to the module in.</summary>
public interface IChainPort
{
    /// <summary>Queues a frame towards chip 1.</summary>
    void Send(Frame frame);

    /// <summary>The next frame for the module, or null after <paramref name="timeout"/>.</summary>
    ValueTask<Frame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// The comm module's side of a multi-chip upgrade (docs/protocol.md §7): PREPARE, order validation,
/// then START / windowed DATA / COMPLETE for each chip, saving progress after every chip.
/// </summary>
public sealed class ChainUpgrade(IChainPort port, ModuleStateStore store, Action<ModuleEvent> report, ModuleDefect defects = ModuleDefect.None)
{
    /// <summary>PREPARE budget handed to chip 1 (§7.1).</summary>
    public const int PrepareBudgetMs = 2000;
    /// <summary>START budget handed to chip 1 (§7.2): every chip keeps the PREPARE margin per hop for its answer.</summary>
    public const ushort StartBudgetMs = StartPayload.DefaultBudgetMs;
    /// <summary>START_ACK wait per try (§7.2): the budget plus time for chip 1's answer to come up.</summary>
    public static readonly TimeSpan StartAckTimeout = TimeSpan.FromMilliseconds(1000);
    /// <summary>Silence after which the window is resent from the persisted offset (§7.3).</summary>
    public static readonly TimeSpan DataAckTimeout = TimeSpan.FromMilliseconds(1000);
    /// <summary>
    /// STATUS_REQ wait per try after a silent period (§7.3 rule 3): the rig's own STATUS wait (§7.6, ChipProbe.StatusTimeout),
    /// which covers both frames on the slowest bench link.
    /// </summary>
    public static readonly TimeSpan StatusProbeTimeout = TimeSpan.FromMilliseconds(400);
    /// <summary>STATUS tries after a silent period before START is sent again: about five silent periods (§7.5), a chip that reboots answers well within.</summary>
    public const int StatusProbeTries = 12;
    /// <summary>
    /// Under selective acknowledgement, a silence this long after the target said it holds frames beyond a gap: the lowest missing
    /// frame is sent again once, before the DATA_ACK silence of <see cref="DataAckTimeout"/> counts (§7.3.1). Several frame times on
    /// the slowest bench link (46 ms per 531-byte frame at 115 200 baud, §2).
    /// </summary>
    public static readonly TimeSpan SelectiveResendTimeout = TimeSpan.FromMilliseconds(300);
    /// <summary>Wait for COMPLETE after the last byte was persisted (§7.4).</summary>
    public static readonly TimeSpan CompleteTimeout = TimeSpan.FromMilliseconds(5000);
    /// <summary>Tries of each exchange before the campaign fails (§7.5).</summary>
    public const int MaxTries = 5;
    /// <summary>PREPARE is sent this many times before the module gives up (§7.1).</summary>
    public const int PrepareTries = 2;
    /// <summary>Extra wait for PREPARE_ACK beyond the budget handed to chip 1 (§7.1).</summary>
    public const int PrepareSlackMs = 500;

    private byte _sequence;

    /// <summary>Runs (or resumes) the campaign in <paramref name="state"/>; returns true when every chip is upgraded.</summary>
    public async Task<bool> RunAsync(ModuleState state, CancellationToken cancellationToken)
    {
        var campaign = state.Campaign ?? throw new InvalidOperationException("no campaign to run");
        try
        {
            if (!state.Prepared)
            {
                var topology = await PrepareAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
                if (topology is null)
                {
                    Save(state with { Finished = true }, cancellationToken);
                    return false;
                }
                var orderError = OrderValidator.Validate(campaign.Order, topology);
                if (orderError is not null)
                {
                    Finish(state, new ModuleEvent("order-refused") { Detail = orderError }, cancellationToken);
                    return false;
                }
                state = state with { Prepared = true, Chips = topology.Select(c => c.ModelId).ToList() };
                Save(state, cancellationToken);
            }
            for (var i = state.NextIndex; i < campaign.Order.Count; i++)
            {
                var chip = campaign.Order[i];
                var image = await File.ReadAllBytesAsync(campaign.ImageFor(chip), cancellationToken).ConfigureAwait(false);
                await UpgradeChipAsync(campaign, chip, image, state.Chips, cancellationToken).ConfigureAwait(false);
                state = state with { NextIndex = i + 1 };
                Save(state, cancellationToken);
            }
            Finish(state, new ModuleEvent("campaign-complete"), cancellationToken);
            return true;
        }
        catch (CampaignFailedException ex)
        {
            // Exactly the failed chip is named; the chips before it in the order keep their new images (they are done in
            // this campaign), and a retry of the campaign starts at this chip (ModuleHost.StartCampaign).
            var done = campaign.Order.Take(state.NextIndex).Select(c => $"0x{c:X2}").ToList();
            Finish(state with { FailedChip = ex.Chip }, new ModuleEvent("campaign-failed")
            {
                Chip = ex.Chip, Detail = ex.Message, Chips = done,
            }, cancellationToken);
            return false;
        }
    }

    /// <summary>Saves progress, unless the power is already gone (a module that lost power writes nothing more).</summary>
    private void Save(ModuleState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        store.Save(state);
    }

    /// <summary>
    /// Ends the campaign with its outcome: the outcome is saved as not yet reported, reported, then saved as
    /// reported. A cut between the two saves leaves it unreported, and the next boot reports it (nothing lost).
    /// </summary>
    private void Finish(ModuleState state, ModuleEvent outcome, CancellationToken cancellationToken)
    {
        Save(state with { Finished = true, Unreported = outcome }, cancellationToken);
        report(outcome);
        Save(state with { Finished = true, Unreported = null }, cancellationToken);
    }

    private void Send(MessageType type, byte destination, byte[] payload) =>
        port.Send(new Frame(type, destination, Address.Module, _sequence++, payload));

    /// <summary>
    /// PREPARE only (docs/cloud.md §2.3, first phase): asks the chain whether an upgrade may start and reports
    /// "prepared" or "prepare-refused" with the chips; returns the topology, or null when refused.
    /// </summary>
    public Task<IReadOnlyList<TopologyEntry>?> PrepareOnlyAsync(uint campaignId, CancellationToken cancellationToken) =>
        PrepareAsync(campaignId, cancellationToken);

    private async Task<IReadOnlyList<TopologyEntry>?> PrepareAsync(uint campaignId, CancellationToken token)
    {
        for (var attempt = 1; attempt <= PrepareTries; attempt++)
        {
            Send(MessageType.Prepare, Address.Broadcast, new PreparePayload(campaignId, PrepareBudgetMs).Encode());
            var deadline = DateTimeOffset.UtcNow.AddMilliseconds(PrepareBudgetMs + PrepareSlackMs);
            while (DateTimeOffset.UtcNow < deadline)
            {
                var frame = await port.ReceiveAsync(deadline - DateTimeOffset.UtcNow, token).ConfigureAwait(false);
                if (frame?.Type != MessageType.PrepareAck || PrepareAckPayload.TryDecode(frame.Payload, out _) is not { } ack
                    || ack.CampaignId != campaignId)
                {
                    continue;
                }
                var chips = ack.Chips.Select(c => $"0x{c.ModelId:X2}:0x{c.ParentId:X2}:{c.Mode}:{c.Version}").ToList();
                if (ack.Status != PrepareStatus.Ready)
                {
                    report(new ModuleEvent("prepare-refused") { Chip = ack.ReportingChip, Detail = ack.Status.ToString(), Chips = chips });
                    return null;
                }
                report(new ModuleEvent("prepared") { Chips = chips });
                return ack.Chips;
            }
        }
        report(new ModuleEvent("prepare-refused") { Detail = "no PREPARE_ACK from chip 1" });
        return null;
    }

    private async Task UpgradeChipAsync(CampaignRequest campaign, byte chip, byte[] image, IReadOnlyList<byte>? topology, CancellationToken token)
    {
        var header = ImageHeader.TryDecode(image, out var error)
            ?? throw new CampaignFailedException(chip, $"image for chip 0x{chip:X2} is invalid: {error}");
        var transfer = new WindowedTransfer(port, campaign, chip, image, report);
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            var (ack, completed) = await StartAsync(campaign, chip, header, topology, token).ConfigureAwait(false);
            CompletePayload? complete;
            if (ack is null)
            {
                // The target finished while its acknowledgements were still on their way up a slow chain (§7.4).
                complete = completed;
            }
            else
            {
                var own = ack.Answers.First(a => a.Chip == chip);
                report(new ModuleEvent("chip-start")
                {
                    Chip = chip, Offset = own.ResumeOffset, SizeBytes = image.Length, Detail = own.Status.ToString(),
                    // Every chip's answer, deepest first, as they travelled up (§7.2).
                    Chips = ack.Answers.Reverse().Select(a => $"0x{a.Chip:X2}:{a.Mode}:{a.Status}").ToList(),
                });
                complete = own.Status == StartStatus.AlreadyUpgraded
                    ? await WaitCompleteAsync(chip, token).ConfigureAwait(false)
                    : await transfer.RunAsync(own.ResumeOffset, () => _sequence++, token).ConfigureAwait(false);
            }
            if (complete is null)
            {
                continue;
            }
            if (complete.Status != CompleteStatus.Activated)
            {
                throw new CampaignFailedException(chip, $"chip 0x{chip:X2} rejected its image: {complete.Status}; it stays on {complete.ActiveVersion}");
            }
            report(new ModuleEvent("chip-complete") { Chip = chip, Detail = complete.ActiveVersion.ToString(), SizeBytes = image.Length, BytesSent = transfer.BytesSent });
            return;
        }
        throw new CampaignFailedException(chip, $"chip 0x{chip:X2} did not complete its upgrade after {MaxTries} tries");
    }

    /// <summary>
    /// Sends START until an aggregated START_ACK carries the target's answer and every other chip's (§7.2), or until a
    /// COMPLETE of this campaign comes from the target: a COMPLETE ends the transfer at any point (§7.3), START retries
    /// included. Exactly one of the two results is set. An answer with chips missing is reported ("start-answers-missing")
    /// and START is sent again; no DATA goes out before every answer is in.
    /// </summary>
    private async Task<(StartAckPayload? Ack, CompletePayload? Complete)> StartAsync(CampaignRequest campaign, byte chip, ImageHeader header,
        IReadOnlyList<byte>? topology, CancellationToken token)
    {
        string? missing = null;
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            Send(MessageType.Start, Address.Broadcast, new StartPayload(campaign.CampaignId, chip, header.Encode(), StartBudgetMs).Encode());
            var deadline = DateTimeOffset.UtcNow + StartAckTimeout;
            while (DateTimeOffset.UtcNow < deadline)
            {
                var frame = await port.ReceiveAsync(deadline - DateTimeOffset.UtcNow, token).ConfigureAwait(false);
                if (frame?.Type == MessageType.Complete && CompletePayload.TryDecode(frame.Payload, out _) is { } complete
                    && complete.Chip == chip && complete.CampaignId == campaign.CampaignId)
                {
                    return (null, complete);
                }
                if (frame?.Type != MessageType.StartAck || StartAckPayload.TryDecode(frame.Payload, out _) is not { } ack
                    || ack.CampaignId != campaign.CampaignId)
                {
                    continue;
                }
                var own = ack.Answers.FirstOrDefault(a => a.Chip == chip);
                if (own is not null && own.Status is not (StartStatus.Ok or StartStatus.AlreadyUpgraded))
                {
                    throw new CampaignFailedException(chip, $"chip 0x{chip:X2} refused START: {own.Status}");
                }
                // (DEFECT: data-before-start-answers streams on the target's own answer alone.)
                missing = own is null ? MissingAnswers(ack, topology) ?? $"no START answer from chip 0x{chip:X2}"
                    : defects.HasFlag(ModuleDefect.DataBeforeStartAnswers) ? null
                    : MissingAnswers(ack, topology);
                if (missing is null)
                {
                    return (ack, null);
                }
                report(new ModuleEvent("start-answers-missing") { Chip = chip, Detail = missing });
                break;
            }
        }
        throw new CampaignFailedException(chip, missing is null
            ? $"no START_ACK from chip 0x{chip:X2} after {MaxTries} tries of {StartAckTimeout.TotalMilliseconds} ms"
            : $"chip 0x{chip:X2}: START answers still missing after {MaxTries} tries: {missing}");
    }

    /// <summary>What is missing from an aggregated START_ACK (chips of the topology without an answer, a silent port), or null.</summary>
    private static string? MissingAnswers(StartAckPayload ack, IReadOnlyList<byte>? topology)
    {
        var answered = ack.Answers.Select(a => a.Chip).ToHashSet();
        var absent = (topology ?? []).Where(c => !answered.Contains(c)).Select(c => $"0x{c:X2}").ToList();
        var problems = new List<string>();
        if (absent.Count > 0)
        {
            problems.Add($"no START answer from chip{(absent.Count > 1 ? "s" : "")} {string.Join(", ", absent)}");
        }
        if (ack.Collection != StartStatus.Ok)
        {
            var reporting = ack.ReportingChip == 0 ? ack.Chip : ack.ReportingChip;
            problems.Add($"a downstream port of chip 0x{reporting:X2} gave no START_ACK ({ack.Collection})");
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private async Task<CompletePayload?> WaitCompleteAsync(byte chip, CancellationToken token)
    {
        var deadline = DateTimeOffset.UtcNow + CompleteTimeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var frame = await port.ReceiveAsync(deadline - DateTimeOffset.UtcNow, token).ConfigureAwait(false);
            if (frame?.Type == MessageType.Complete && CompletePayload.TryDecode(frame.Payload, out _) is { } complete && complete.Chip == chip)
            {
                return complete;
            }
        }
        return null;
    }
}

/// <summary>The campaign cannot go on; the message says which chip and why.</summary>
public sealed class CampaignFailedException(byte chip, string message) : Exception(message)
{
    /// <summary>The chip the failure is about.</summary>
    public byte Chip { get; } = chip;
}
