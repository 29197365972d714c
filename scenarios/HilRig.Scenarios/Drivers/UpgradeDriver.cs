using System.Globalization;
using HilRig.Core.Servers;
using HilRig.Core.Verification;
using HilRig.Protocol.Control;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>How a campaign ended, and what the module reported on the way.</summary>
public sealed record CampaignOutcome(ModuleEvent Final, IReadOnlyList<ModuleEvent> Events, IReadOnlyList<ModeSnapshot> Snapshots, string Diagnosis)
{
    /// <summary>Chip model ids in the order they reported completion.</summary>
    public IReadOnlyList<byte> CompletedOrder => Events.Where(e => e.Event == "chip-complete" && e.Chip is not null).Select(e => e.Chip!.Value).ToList();
}

/// <summary>
/// Plays the server side of a multi-chip campaign: picks each chip's image from the firmware catalogue,
/// hands the campaign to the module over its control channel and waits for it to end.
/// </summary>
public sealed class UpgradeDriver(BenchDriver bench, RigSettings settings)
{
    private uint _nextCampaignId = 0x1001;

    /// <summary>The images handed out in the last campaign, by chip name.</summary>
    public Dictionary<string, CatalogImage> Images { get; } = new();

    /// <summary>Image bytes the module put on the line per chip during the last campaign, as the rig saw them.</summary>
    public TransferAccounting? Accounting { get; private set; }

    /// <summary>The last campaign's outcome.</summary>
    public CampaignOutcome? Outcome { get; private set; }

    /// <summary>The id of the last campaign the rig handed to the module.</summary>
    public uint? LastCampaignId { get; private set; }

    /// <summary>The last campaign's outcome, or a message saying no campaign ran.</summary>
    public CampaignOutcome RequireOutcome() => Outcome ?? throw new InvalidOperationException("no upgrade was started in this scenario");

    /// <summary>
    /// Takes the outcome of a campaign the target server ran (docs/cloud.md §2.3): the module reports the same
    /// chain events on its control channel, so the Then steps about the last campaign read them from there.
    /// </summary>
    public async Task<CampaignOutcome> AdoptCloudCampaignAsync(IReadOnlyDictionary<string, CatalogImage> images, CancellationToken cancellationToken)
    {
        if (bench.Wiring.Kind == Core.Wiring.BenchKind.Hardware && bench.Wiring.Module.Kind == Core.Wiring.ModuleKind.Device && bench.Bench.Cloud is { } cloud)
        {
            // The device's own module has no control channel to the rig: the events are those the target server heard.
            var heard = cloud.Target.EventsOf(cloud.DeviceId)
                .Select(e => new ModuleEvent(e.Event) { Chip = e.Chip, Detail = e.Detail, Offset = e.Offset, SizeBytes = e.SizeBytes }).ToList();
            var end = heard.LastOrDefault(ModuleControlServer.IsCampaignEnd)
                ?? new ModuleEvent("none") { Detail = "the target server heard no end of a chain campaign" };
            Images.Clear();
            foreach (var (name, image) in images) Images[name] = image;
            Outcome = new CampaignOutcome(end, heard, [], LinkDiagnosis.Describe(bench.Bench));
            return Outcome;
        }
        var server = bench.Bench.Server;
        // The target server hears the end over MQTT; the same event on the module's control channel can come a moment later.
        if (!server.History.Any(ModuleControlServer.IsCampaignEnd))
        {
            try
            {
                await server.WaitForEventAsync(ModuleControlServer.IsCampaignEnd, "the end of the chain campaign", TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported below as "the module reported no end of a chain campaign".
            }
        }
        var history = server.History;
        var final = history.LastOrDefault(ModuleControlServer.IsCampaignEnd)
            ?? new ModuleEvent("none") { Detail = "the module reported no end of a chain campaign" };
        Images.Clear();
        foreach (var (name, image) in images) Images[name] = image;
        Outcome = new CampaignOutcome(final, history, [], LinkDiagnosis.Describe(bench.Bench));
        return Outcome;
    }

    /// <summary>Runs a campaign to <paramref name="version"/> in <paramref name="order"/> (chip names; the bench's default when null).</summary>
    public async Task<CampaignOutcome> RunAsync(string version, IReadOnlyList<string>? order, bool watchModes, CancellationToken cancellationToken)
    {
        var target = FirmwareVersion.Parse(version);
        var names = order ?? bench.Wiring.UpgradeOrder;
        var catalog = new FirmwareCatalog(settings.FirmwareDirectory);
        var images = names.ToDictionary(n => n, n => catalog.Find(bench.Chip(n).ModelId, target));
        return await RunWithImagesAsync(names, images, watchModes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a campaign with the given image for each chip, in <paramref name="order"/>.</summary>
    public async Task<CampaignOutcome> RunWithImagesAsync(IReadOnlyList<string> order, IReadOnlyDictionary<string, CatalogImage> images, bool watchModes, CancellationToken cancellationToken)
    {
        Images.Clear();
        foreach (var (name, image) in images) Images[name] = image;
        LastCampaignId = _nextCampaignId;
        _lastOrder = order.ToList();
        return await SendAndWaitAsync(_nextCampaignId++, order, watchModes, cancellationToken).ConfigureAwait(false);
    }

    private List<string> _lastOrder = new();

    /// <summary>
    /// Sends the last campaign again, same id and order, with <paramref name="images"/> (good ones, say) for the chips named
    /// and the last campaign's for the others: the module retries it from the chip that failed (docs/protocol.md §11.1).
    /// Returns the outcome; <see cref="RetryStartsAtEvent"/> is where the retry's events start in its history.
    /// </summary>
    public async Task<CampaignOutcome> RetryAsync(IReadOnlyDictionary<string, CatalogImage> images, CancellationToken cancellationToken)
    {
        var id = LastCampaignId ?? throw new InvalidOperationException("no campaign was run in this scenario, so there is nothing to retry");
        foreach (var (name, image) in images) Images[name] = image;
        RetryStartsAtEvent = bench.Bench.Server.History.Count;
        return await SendAndWaitAsync(id, _lastOrder, watchModes: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Index in the outcome's events of the first event of the last retry (0 without one).</summary>
    public int RetryStartsAtEvent { get; private set; }

    private async Task<CampaignOutcome> SendAndWaitAsync(uint campaignId, IReadOnlyList<string> order, bool watchModes, CancellationToken cancellationToken)
    {
        var wiring = bench.Wiring;
        var campaign = new CampaignRequest(
            campaignId,
            order.Select(n => bench.Chip(n).ModelId).ToList(),
            Images.ToDictionary(i => bench.Chip(i.Key).ModelId.ToString(CultureInfo.InvariantCulture), i => i.Value.Path));
        Accounting?.Dispose();
        Accounting = new TransferAccounting(bench.Bench);
        await using var watcher = watchModes ? new ModeWatcher(bench.Bench, campaign.WindowBytes, cancellationToken) : null;
        var server = bench.Bench.Server;
        await server.SendCampaignAsync(campaign, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        var totalBytes = Images.Values.Sum(i => (double)i.Header.ImageSizeBytes);
        var slowestBaud = wiring.Links.Min(l => l.BaudRate);
        // A hang detector, not a speed check: the campaign may go on as long as the module keeps reporting (boots after
        // power cuts, progress, chip starts), and fails after a silence of four times the line time of every image at the
        // slowest link plus a minute, or after four such spans in all.
        var quiet = TimeSpan.FromSeconds(60 + 4 * totalBytes / (slowestBaud / 10.0));
        var final = await WaitForEndAsync(server, quiet, 4 * quiet, cancellationToken).ConfigureAwait(false);
        var snapshots = watcher is null ? [] : await watcher.SnapshotsAsync().ConfigureAwait(false);
        Outcome = new CampaignOutcome(final, server.History, snapshots, LinkDiagnosis.Describe(bench.Bench));
        return Outcome;
    }

    private static async Task<ModuleEvent> WaitForEndAsync(IModuleChannel server, TimeSpan quiet, TimeSpan cap, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var seen = server.History.Count;
            try
            {
                return await server.WaitForEventAsync(ModuleControlServer.IsCampaignEnd,
                    "end of the campaign", quiet, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (server.History.Count > seen && clock.Elapsed < cap)
            {
                // The module is still reporting: the campaign is slow (a loaded machine, many cuts), not stuck.
            }
        }
    }
}
