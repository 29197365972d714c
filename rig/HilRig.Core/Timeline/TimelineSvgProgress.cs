using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Core.Timeline;

/// <summary>How far a transfer had got at one moment.</summary>
/// <param name="AtMs">Timeline milliseconds.</param>
/// <param name="ReceivedBytes">Bytes the target had taken (DATA_ACK next=, or DATA offset+bytes when no ack was seen).</param>
/// <param name="PersistedBytes">Bytes the target had recorded as persisted (DATA_ACK persisted=).</param>
internal sealed record ProgressPoint(double AtMs, long ReceivedBytes, long PersistedBytes);

/// <summary>One image transfer to one chip: from its START_ACK mode=Upgrade to its COMPLETE (or power cut, or the end).</summary>
/// <param name="Chip">Target chip name.</param>
/// <param name="FromMs">START_ACK mode=Upgrade from the chip.</param>
/// <param name="ToMs">COMPLETE from the chip, power off, or the end of the timeline.</param>
/// <param name="ImageSizeBytes">What 100% means.</param>
/// <param name="Points">Progress, in time order.</param>
/// <param name="Outcome">COMPLETE status ("Activated"), "power-off", or "open" when the timeline ended first.</param>
internal sealed record Transfer(string Chip, double FromMs, double ToMs, long ImageSizeBytes, IReadOnlyList<ProgressPoint> Points, string Outcome);

/// <summary>
/// Finds transfers and their progress. Acks are read on the link directly above the target when it
/// was tapped (the same ack seen again further up only repeats it, a little later); the image size is the largest
/// the target's chip record gave (docs/protocol.md §11.2), a STATUS response reported, or any next= reached.
/// </summary>
internal static class TimelineSvgProgress
{
    /// <summary>COMPLETE status of a transfer whose image is active.</summary>
    public const string Activated = "Activated";

    /// <summary>Outcome of a stretch that ended because the target lost power.</summary>
    public const string PowerOff = "power-off";

    /// <summary>Outcome of a stretch still running when the timeline ended.</summary>
    public const string StillOpen = "open";

    private sealed class Open(string chip, double fromMs)
    {
        public string Chip { get; } = chip;
        public double FromMs { get; } = fromMs;
        public List<(string Link, ProgressPoint Point)> Acks { get; } = new();
        public List<ProgressPoint> Sent { get; } = new();
        public ProgressPoint? Start { get; set; }
    }

    public static IReadOnlyList<Transfer> Find(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench, double endMs)
    {
        var sizes = ImageSizes(ordered, bench);
        var open = new Dictionary<string, Open>();
        var done = new List<Transfer>();
        var completed = new HashSet<string>(StringComparer.Ordinal);
        void Close(Open transfer, double atMs, string outcome)
        {
            open.Remove(transfer.Chip);
            done.Add(Finish(transfer, atMs, outcome, sizes.GetValueOrDefault(transfer.Chip), bench));
        }

        foreach (var e in ordered)
        {
            if (e.PowerOn == false && open.TryGetValue(e.Source, out var cut))
            {
                Close(cut, e.AtMs, PowerOff);
                continue;
            }
            // A target that lost power boots straight back into Upgrade and the module carries on with DATA
            // (no new START): the resumed part is a new stretch of the same transfer.
            if (e.Chip is { Event: ChipRecord.Boot, Mode: ChipMode.Upgrade } boot && bench.IsChip(e.Source) && !open.ContainsKey(e.Source))
            {
                completed.Remove(e.Source);
                open[e.Source] = new Open(e.Source, e.AtMs) { Start = new ProgressPoint(e.AtMs, boot.PersistedOffset, boot.PersistedOffset) };
                continue;
            }
            if (e.Kind != TimelineKind.Frame || e.Frame is not { } f)
            {
                continue;
            }
            switch (f.Type)
            {
                case nameof(MessageType.StartAck) when f.Mode == ChipMode.Upgrade && bench.ChipName(f.Chip) is { } chip:
                    completed.Remove(chip);
                    if (!open.ContainsKey(chip))
                    {
                        var resume = f.Offset ?? 0;
                        open[chip] = new Open(chip, e.AtMs) { Start = new ProgressPoint(e.AtMs, resume, resume) };
                    }
                    break;
                case nameof(MessageType.DataAck) when bench.ChipName(f.From) is { } chip && f.Next is { } next:
                    // An ack resumes a transfer cut by power (the module carries on with DATA, no new START). Only an ack on
                    // the link right above the target counts, and never after its COMPLETE: that goes out both ways, so the
                    // last ack can still be on its way up when the COMPLETE has already been seen below.
                    if (!open.ContainsKey(chip) && !completed.Contains(chip) && bench.SplitLink(e.Source)?.Lower == chip)
                    {
                        open[chip] = new Open(chip, e.AtMs);
                    }
                    if (open.TryGetValue(chip, out var acked))
                    {
                        acked.Acks.Add((e.Source, new ProgressPoint(e.AtMs, next, f.Persisted ?? 0)));
                    }
                    break;
                case nameof(MessageType.Data) when bench.ChipName(f.To) is { } chip && open.TryGetValue(chip, out var sending)
                                 && bench.SplitLink(e.Source)?.Lower == chip && f.Offset is { } offset && f.Bytes is { } bytes:
                    sending.Sent.Add(new ProgressPoint(e.AtMs, offset + bytes, 0));
                    break;
                case nameof(MessageType.Complete) when bench.ChipName(f.Chip) is { } chip:
                    completed.Add(chip);
                    if (open.TryGetValue(chip, out var finished))
                    {
                        Close(finished, e.AtMs, f.Status ?? "Complete");
                    }
                    break;
            }
        }
        foreach (var transfer in open.Values.OrderBy(t => t.FromMs).ToList())
        {
            Close(transfer, Math.Max(transfer.FromMs, endMs), StillOpen);
        }
        return done.OrderBy(t => t.FromMs).ToList();
    }

    private static Transfer Finish(Open transfer, double toMs, string outcome, long sizeBytes, TimelineSvgBench bench)
    {
        var nearest = transfer.Acks.Where(a => bench.SplitLink(a.Link)?.Lower == transfer.Chip).Select(a => a.Point).ToList();
        var points = nearest.Count > 0 ? nearest
            : transfer.Acks.Count > 0 ? transfer.Acks.Select(a => a.Point).ToList()
            : transfer.Sent;
        var all = (transfer.Start is { } start ? points.Prepend(start) : points).OrderBy(p => p.AtMs).ToList();
        var size = Math.Max(sizeBytes, all.Count == 0 ? 0 : all.Max(p => p.ReceivedBytes));
        // COMPLETE Activated means the whole image is in and verified; the ack of the last bytes can reach the link
        // above the target after COMPLETE was already seen going down the other way.
        if (outcome == Activated && size > 0 && (all.Count == 0 || all[^1].ReceivedBytes < size || all[^1].PersistedBytes < size))
        {
            all.Add(new ProgressPoint(toMs, size, size));
        }
        return new Transfer(transfer.Chip, transfer.FromMs, toMs, size, all, outcome);
    }

    private static Dictionary<string, long> ImageSizes(IReadOnlyList<TimelineEvent> ordered, TimelineSvgBench bench)
    {
        var sizes = new Dictionary<string, long>();
        void Offer(string? chip, long? bytes)
        {
            if (chip is not null && bytes is > 0)
            {
                sizes[chip] = Math.Max(sizes.GetValueOrDefault(chip), bytes.Value);
            }
        }
        foreach (var e in ordered)
        {
            if (e.Chip is { Mode: ChipMode.Upgrade, ImageSizeBytes: { } logged } && bench.IsChip(e.Source))
            {
                // The target's own record: the image size its mark took from the header (docs/protocol.md §11.2).
                Offer(e.Source, logged);
            }
            else if (e.Module is { Chip: { } id, SizeBytes: > 0 } reported)
            {
                // The module's chip-start, progress and chip-complete events say the image size (docs/protocol.md §11.1).
                Offer(bench.ChipName(id), reported.SizeBytes);
            }
            else if (e.Frame is { Type: nameof(MessageType.StatusResponse) } status)
            {
                Offer(bench.ChipName(status.From), status.SizeBytes);
            }
        }
        return sizes;
    }
}
