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
    public static async Task<TransferMeasurement> RunAsync(BenchWiring wiring, int baudRate, int imageSizeBytes, string artifactsDirectory, CancellationToken cancellationToken)
    {
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
            "campaign end", TimeSpan.FromSeconds(30 + 4 * lineSeconds), cancellationToken).ConfigureAwait(false);
        if (done.Event != "campaign-complete" || firstData is null || complete is null)
        {
            throw new InvalidOperationException($"benchmark transfer did not complete: {Servers.ModuleControlServer.Describe(done)}; see {artifactsDirectory}");
        }
        var sent = bench.Server.History.LastOrDefault(e => e.Event == "chip-complete")?.BytesSent ?? 0;
        return new TransferMeasurement(baudRate, target, wiring.PathFromModule(target).Count, imageSizeBytes, (complete.Value - firstData.Value) / 1000.0, sent);
    }
}
