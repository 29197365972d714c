using HilRig.Protocol.Cloud;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module.Network;

public sealed partial class CloudSession
{
    /// <summary>The module's own upgrade (docs/cloud.md §2.2, §4.3).</summary>
    private async Task UpgradeSelfAsync(OtaInstruction ins, CancellationToken token)
    {
        var running = Firmware();
        if (ins.Version == running.Version)
        {
            _log($"OTA instruction {ins.InstructionId}: already running {ins.Version}; nothing to do");
            return;
        }
        if (_defects.HasFlag(ModuleDefect.RefuseOlderVersion) && FirmwareVersion.TryParse(ins.Version, out var instructed)
            && FirmwareVersion.TryParse(running.Version, out var current)
            && (instructed.Major, instructed.Minor, instructed.Patch).CompareTo((current.Major, current.Minor, current.Patch)) < 0)
        {
            _log($"OTA instruction {ins.InstructionId} for {ins.Version} ignored: older than the running {running.Version} (defect: refuse-older-version)");
            return;
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            _log($"OTA instruction {ins.InstructionId} for {ins.Version} ignored: an upgrade is already under way");
            return;
        }
        try
        {
            if (_chain.CampaignRunning)
            {
                _log($"OTA instruction {ins.InstructionId} for {ins.Version} waits for the chip campaign to finish");
                while (_chain.CampaignRunning)
                {
                    await Task.Delay(200, token).ConfigureAwait(false);
                }
            }
            // The processor hears of the upgrade first and may hold it while the device body operates (docs/protocol.md §7.7).
            if (FirmwareVersion.TryParse(ins.Version, out var announced))
            {
                await _processor.AnnounceAsync(new OtaNoticePayload(ProcessorRelay.NoticeId(ins.InstructionId), OtaNoticeKind.Module,
                        [new NoticeImage(OtaInstruction.ModuleModelId, announced)]),
                    detail => Event(new DeviceEvent("ota-deferred") { InstructionId = ins.InstructionId, Detail = detail }), token).ConfigureAwait(false);
            }
            SetActivity("module-upgrade");
            Event(new DeviceEvent("module-upgrading") { InstructionId = ins.InstructionId, Detail = $"{running.Version} -> {ins.Version}", SizeBytes = ins.SizeBytes });
            var partial = Path.Combine(_flash.DownloadsDirectory, $"module-{ins.Version}-{Short(ins.Sha256)}.part");
            var bytes = await _downloader.DownloadAsync(ins.Url, ins.Sha256, ins.SizeBytes, partial,
                Progress(new DeviceEvent("download-progress") { InstructionId = ins.InstructionId }), token).ConfigureAwait(false);
            // The image's own header digest is checked too; the skip-digest-check defect looks at the header only.
            var header = _defects.HasFlag(ModuleDefect.SkipDigestCheck)
                ? ImageHeader.TryDecode(bytes, out var error)
                : FirmwareImage.TryDecode(bytes, out error)?.Header;
            if (header is null)
            {
                throw new DownloadFailedException($"the downloaded file is not a firmware image: {error}");
            }
            if (header.ModelId != OtaInstruction.ModuleModelId || header.Version.ToString() != ins.Version)
            {
                throw new DownloadFailedException($"the image is for model 0x{header.ModelId:X2} version {header.Version}, not the WiFi module (0x{OtaInstruction.ModuleModelId:X2}) version {ins.Version}");
            }
            var slots = _flash.LoadSlots();
            var inactive = slots.Inactive;
            ModuleFlash.WriteAtomically(_flash.SlotPath(inactive), bytes);
            File.Delete(partial);
            var switched = inactive == "A" ? slots with { Active = "A", SlotA = ins.Version } : slots with { Active = "B", SlotB = ins.Version };
            _flash.SaveSlots(switched);
            _log($"WiFi firmware {ins.Version} written to slot {inactive} and activated; rebooting");
            Event(new DeviceEvent("module-upgraded") { InstructionId = ins.InstructionId, Detail = $"{running.Version} -> {ins.Version}, slot {inactive}" });
            await _target.DrainAsync(TimeSpan.FromSeconds(2), token).ConfigureAwait(false);
            NextReportReason = "rebooted";
            _network.Reboot($"running {ins.Version} from slot {inactive}");
        }
        catch (DownloadFailedException ex)
        {
            _log($"OTA instruction {ins.InstructionId} failed: {ex.Message}; staying on {running.Version} (slot {running.Slot})");
            Event(new DeviceEvent("module-upgrade-failed") { InstructionId = ins.InstructionId, Detail = ex.Message });
            _target.Publish(CloudTopics.OtaReport(Device), CloudJson.Encode(
                new DeviceReport(Device, _flash.Factory.Product, Firmware(), _config.ServerId, _flash.LoadChips(), "upgrade-failed")));
            SetActivity("idle");
        }
        finally
        {
            Interlocked.Exchange(ref _busy, 0);
        }
    }

    /// <summary>A chip campaign: download and check every image, then run it on the chain (docs/cloud.md §2.3).</summary>
    private async Task RunCampaignAsync(CampaignInstruction campaign, CancellationToken token)
    {
        if (campaign.Attempt is > 1 and var attempt)
        {
            if (RetryRefusal(campaign, attempt) is not null)
            {
                return;
            }
        }
        else if (_flash.LoadFinishedCampaigns().Contains(campaign.CampaignId))
        {
            _log($"campaign {campaign.CampaignId} was finished before; not run again");
            Event(new DeviceEvent("campaign-ignored") { CampaignId = campaign.CampaignId, Detail = "finished before" });
            return;
        }
        else
        {
            // The campaign answers this device's own "prepared": the PREPARE that reported it may still be ending.
            await Task.WhenAny(_chain.PreparedAsync(campaign.CampaignId)).WaitAsync(token).ConfigureAwait(false);
        }
        if (_chain.CampaignRunning || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Event(new DeviceEvent("campaign-refused") { CampaignId = campaign.CampaignId, Detail = "an upgrade is already under way" });
            return;
        }
        try
        {
            // The processor hears of the campaign first and may hold it while the device body operates (docs/protocol.md §7.7).
            var images = campaign.Order.Select(chip => campaign.Images.FirstOrDefault(i => i.ModelId == chip)).OfType<CampaignImage>()
                .Select(i => new NoticeImage(i.ModelId, FirmwareVersion.TryParse(i.Version, out var v) ? v : default)).Take(OtaNoticePayload.MaxImages).ToList();
            if (images.Count > 0)
            {
                await _processor.AnnounceAsync(new OtaNoticePayload(campaign.CampaignId, OtaNoticeKind.Chips, images),
                    detail => Event(new DeviceEvent("ota-deferred") { CampaignId = campaign.CampaignId, Detail = detail }), token).ConfigureAwait(false);
            }
            SetActivity("chip-upgrade");
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var chip in campaign.Order)
            {
                var image = campaign.Images.FirstOrDefault(i => i.ModelId == chip)
                    ?? throw new DownloadFailedException($"campaign {campaign.CampaignId} names chip 0x{chip:X2} in its order but carries no image for it");
                var final = Path.Combine(_flash.DownloadsDirectory, $"chip-{chip:x2}-{image.Version}-{Short(image.Sha256)}.hrim");
                if (!File.Exists(final))
                {
                    var bytes = await _downloader.DownloadAsync(image.Url, image.Sha256, image.SizeBytes, final + ".part",
                        Progress(new DeviceEvent("download-progress") { CampaignId = campaign.CampaignId, Chip = chip }), token).ConfigureAwait(false);
                    ModuleFlash.WriteAtomically(final, bytes);
                    File.Delete(final + ".part");
                }
                paths[chip.ToString(System.Globalization.CultureInfo.InvariantCulture)] = final;
            }
            _campaignId = campaign.CampaignId;
            if (campaign.Attempt is > 1 and var started) _flash.SaveCampaignAttempt(campaign.CampaignId, started);
            var refusal = _chain.StartCampaign(new CampaignRequest(campaign.CampaignId, campaign.Order, paths));
            if (refusal is not null)
            {
                Event(new DeviceEvent("campaign-refused") { CampaignId = campaign.CampaignId, Detail = refusal });
                SetActivity("idle");
            }
        }
        catch (DownloadFailedException ex)
        {
            _log($"campaign {campaign.CampaignId}: {ex.Message}");
            Event(new DeviceEvent("download-failed") { CampaignId = campaign.CampaignId, Detail = ex.Message });
            Event(new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Detail = ex.Message });
            SetActivity("idle");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever else breaks, the target server hears that the campaign ended instead of waiting for ever.
            _log($"campaign {campaign.CampaignId}: the module failed: {ex}");
            Event(new DeviceEvent("campaign-failed") { CampaignId = campaign.CampaignId, Detail = $"module error: {ex.GetType().Name}: {ex.Message}" });
            SetActivity("idle");
        }
        finally
        {
            Interlocked.Exchange(ref _busy, 0);
        }
    }

    /// <summary>
    /// Why a retry of a failed campaign (docs/cloud.md §2.3, "Retry") is not run, after saying so to the server; null when it
    /// runs. An attempt is run once; the module resumes only the failure it holds for that campaign, at the chip the server
    /// names, so it never starts a retry over from the first chip.
    /// </summary>
    private string? RetryRefusal(CampaignInstruction campaign, int attempt)
    {
        var id = campaign.CampaignId;
        if (_flash.LoadCampaignAttempts().GetValueOrDefault(id, 1) >= attempt)
        {
            _log($"campaign {id} attempt {attempt} was run before; not run again");
            Event(new DeviceEvent("campaign-ignored") { CampaignId = id, Detail = $"attempt {attempt} run before" });
            return "run before";
        }
        var failed = _chain.FailedChipOf(id);
        if (failed is null || failed != campaign.ResumeAt)
        {
            var why = failed is null
                ? $"the module holds no failure of campaign {id} to resume"
                : $"campaign {id} failed here on chip 0x{failed:X2}, not on chip 0x{campaign.ResumeAt:X2}";
            _log($"retry of campaign {id} (attempt {attempt}) refused: {why}");
            // Its own event, which ends the retry on the server: "campaign-refused" answers a duplicate of a running campaign.
            Event(new DeviceEvent("retry-refused") { CampaignId = id, Detail = why });
            return why;
        }
        _log($"campaign {id} attempt {attempt}: resuming at chip 0x{failed:X2}");
        return null;
    }

    /// <summary>Relays a chain event to the target server and keeps what the module learns from it.</summary>
    private void OnChainEvent(ModuleEvent e, uint? campaignId)
    {
        campaignId ??= _campaignId;
        IReadOnlyList<ChipVersion>? learned = null;
        if (e.Event is "prepared" or "prepare-refused" && e.Chips is { Count: > 0 } chips)
        {
            learned = chips.Select(ParseChip).OfType<ChipVersion>().ToList();
            _flash.SaveChips(learned);
        }
        else if (e.Event == "chip-complete" && e.Chip is { } done && e.Detail is { } version && _flash.LoadChips() is { } known)
        {
            _flash.SaveChips(known.Select(c => c.ModelId == done ? c with { Version = version } : c).ToList());
        }
        if (e.Event is "campaign-complete" or "campaign-failed" or "order-refused" && campaignId is { } id)
        {
            _flash.AddFinishedCampaign(id);
            SetActivity("idle");
        }
        else if (e.Event is "chip-start")
        {
            SetActivity("chip-upgrade");
        }
        Event(new DeviceEvent(e.Event) { CampaignId = campaignId, Chip = e.Chip, Detail = e.Detail, Offset = e.Offset, SizeBytes = e.SizeBytes, Chips = learned });
    }

    private static ChipVersion? ParseChip(string entry)
    {
        // "0xMM:0xPP:Mode:major.minor.patch", as ChainUpgrade reports PREPARE_ACK entries.
        var parts = entry.Split(':');
        if (parts.Length != 4 || !parts[0].StartsWith("0x", StringComparison.Ordinal))
        {
            return null;
        }
        return byte.TryParse(parts[0].AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var model)
            ? new ChipVersion(model, parts[3])
            : null;
    }

    private Action<long, long> Progress(DeviceEvent template)
    {
        var lastTenth = -1L;
        return (held, size) =>
        {
            var tenth = size == 0 ? 10 : held * 10 / size;
            if (tenth != lastTenth)
            {
                lastTenth = tenth;
                Event(template with { Offset = held, SizeBytes = size });
            }
        };
    }

    private static string Short(string sha256) => sha256.Length >= 8 ? sha256[..8].ToLowerInvariant() : sha256;
}
