using System.Globalization;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Bench;

/// <summary>One measured transfer.</summary>
public sealed record TransferMeasurement(int BaudRate, string Target, int Hops, int ImageSizeBytes, double Seconds, long BytesSent)
{
    /// <summary>Image bytes per second delivered, divided by the 8N1 line rate (baud / 10).</summary>
    public double Efficiency => ImageSizeBytes / Seconds / (BaudRate / 10.0);

    /// <summary>Image bytes per image byte the module sent (1 when nothing was sent twice).</summary>
    public double SendEfficiency => BytesSent == 0 ? 0 : (double)ImageSizeBytes / BytesSent;
}

/// <summary>What the measured transfer goes through (docs/protocol.md §7.3.1).</summary>
public sealed record TransferConditions
{
    /// <summary>Every Nth DATA frame going down the link above the target is dropped (0: none; 5: a fifth of them).</summary>
    public int DropEveryNthData { get; init; }

    /// <summary>The target speaks protocol 1.1 (`--protocol 1.1`: no selective acknowledgement) instead of 1.2.</summary>
    public bool TargetSpeaks11 { get; init; }
}

/// <summary>
/// Upgrades the farthest chip of a chain through every pass-through hop and times it from the first DATA
/// byte the rig sees leave the module to the COMPLETE the rig sees arrive at the module, both observed
/// on the module's relay link, so pipeline fill, flash writes, verification and activation all count.
/// </summary>
public static class TransferBenchmark
{
    /// <summary>
    /// Runs one transfer on a fresh bench. A virtual bench runs at <paramref name="baudRate"/> with a slot made to fit the
    /// image; a hardware bench keeps its wiring's rate and flash, so the image is cut to fit its slot.
    /// </summary>
    public static async Task<TransferMeasurement> RunAsync(BenchWiring wiring, int baudRate, int imageSizeBytes, string artifactsDirectory,
        CancellationToken cancellationToken, TransferConditions? conditions = null)
    {
        conditions ??= new TransferConditions();
        var target = wiring.FarToNearOrder()[0];
        var chip = wiring.Chip(target);
        if (wiring.Kind == BenchKind.Hardware)
        {
            baudRate = wiring.UpstreamLink(target).BaudRate;
            imageSizeBytes = Math.Min(imageSizeBytes, chip.Flash.SlotSizeBytes - chip.Flash.SectorSizeBytes);
        }
        var image = SampleImages.Build(chip.ModelId, new FirmwareVersion(9, 9, 9), imageSizeBytes - ImageHeader.SizeBytes);
        Directory.CreateDirectory(artifactsDirectory);
        var imagePath = Path.Combine(artifactsDirectory, $"bench-{chip.ModelId:x2}.hrim");
        await File.WriteAllBytesAsync(imagePath, image.Encode(), cancellationToken).ConfigureAwait(false);
        var slot = (imageSizeBytes / chip.Flash.SectorSizeBytes + 1) * chip.Flash.SectorSizeBytes;
        var options = new BenchOptions(artifactsDirectory) { StartCloud = false, BaudRateOverride = baudRate, SlotSizeOverrideBytes = Math.Max(slot, chip.Flash.SlotSizeBytes) };
        await using var bench = BenchFactory.Create(wiring, options);
        await bench.PowerOnAllAsync(cancellationToken).ConfigureAwait(false);
        if (conditions.TargetSpeaks11)
        {
            if (bench is not IEmulatedNodes nodes)
            {
                throw new NotSupportedException($"bench '{wiring.Name}': a target speaking protocol 1.1 needs an emulated chip (`--protocol 1.1`); flash 1.1 firmware on a board instead");
            }
            nodes.Launch(target).ExtraArguments.AddRange(["--protocol", "1.1"]);
            await bench.Power(target).OffAsync(cancellationToken).ConfigureAwait(false);
            await bench.Power(target).OnAsync(cancellationToken).ConfigureAwait(false);
            await bench.Probe.WaitUntilAnswersAsync(target, bench.Options.BootTimeout, cancellationToken).ConfigureAwait(false);
        }
        if (conditions.DropEveryNthData > 0)
        {
            // The link fault of docs/faults.md ("drop the next N frames of a type"), armed for good with every Nth DATA matching.
            var nth = conditions.DropEveryNthData;
            var seen = 0;
            bench.RelaysByChip[target].Faults(Direction.Downstream).DropFrames(int.MaxValue,
                f => f.Type == MessageType.Data && f.Destination == chip.ModelId && Interlocked.Increment(ref seen) % nth == 0);
        }
        var firstLink = bench.RelaysByChip[wiring.Children(ModuleWiring.Name)[0]];
        double? firstData = null, complete = null;
        firstLink.Observed += o =>
        {
            if (o.Item is not DecodedFrame { Frame: var f }) return;
            if (f.Type == MessageType.Data && o.Direction == Direction.Downstream) firstData ??= o.AtMs;
            if (f.Type == MessageType.Complete && o.Direction == Direction.Upstream && f.Source == chip.ModelId) complete ??= o.AtMs;
        };
        var campaign = new CampaignRequest(1, [chip.ModelId], new Dictionary<string, string> { [chip.ModelId.ToString(CultureInfo.InvariantCulture)] = imagePath });
        await bench.Server.SendCampaignAsync(campaign, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        var lineSeconds = imageSizeBytes / (baudRate / 10.0);
        var done = await bench.Server.WaitForEventAsync(Servers.ModuleControlServer.IsCampaignEnd,
            "campaign end", TimeSpan.FromSeconds(30 + (conditions.DropEveryNthData > 0 ? 40 : 4) * lineSeconds), cancellationToken).ConfigureAwait(false);
        if (done.Event != "campaign-complete" || firstData is null || complete is null)
        {
            throw new InvalidOperationException($"benchmark transfer did not complete: {Servers.ModuleControlServer.Describe(done)}; see {artifactsDirectory}");
        }
        var sent = bench.Server.History.LastOrDefault(e => e.Event == "chip-complete")?.BytesSent ?? 0;
        return new TransferMeasurement(baudRate, target, wiring.PathFromModule(target).Count, imageSizeBytes, (complete.Value - firstData.Value) / 1000.0, sent);
    }
}
