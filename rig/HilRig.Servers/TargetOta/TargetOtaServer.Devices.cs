using HilRig.Protocol.Cloud;
using HilRig.Protocol.Messages;
using HilRig.Servers.Mqtt;

namespace HilRig.Servers.TargetOta;

// Device traffic: reports, events, the module's OTA instruction, the campaign's second phase (docs/cloud.md §2.1, §2.2, §2.3, §2.4).
public sealed partial class TargetOtaServer
{
    /// <summary>Device events that end a campaign: after one of them no other event of the campaign is expected.</summary>
    public static readonly IReadOnlyList<string> CampaignEndingEvents = ["campaign-complete", "campaign-failed", "prepare-refused", "order-refused", "download-failed", "retry-refused"];
    private static readonly string[] InstructionEndingEvents = ["module-upgraded", "module-upgrade-failed", "download-failed"];

    private readonly object _gate = new();
    private readonly Dictionary<string, DeviceState> _devices = new(StringComparer.Ordinal);
    private int _nextInstruction;

    private sealed class DeviceState
    {
        public DeviceReport? LastReport;
        public OtaInstruction? Outstanding;
        public IReadOnlyList<ChipVersion>? Chips;
        public uint? CampaignId;
        public string? CampaignPhase;
        public CampaignInstruction? Campaign;
        /// <summary>The chip the latest attempt of the campaign failed on ("campaign-failed" naming it), where a retry starts.</summary>
        public byte? FailedChip;
    }

    private DeviceState StateOf(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out var state))
        {
            _devices[deviceId] = state = new DeviceState();
        }
        return state;
    }

    private static string DeviceOf(string topic) => topic.Split('/')[1];

    private async Task OnReportAsync(BrokerMessage message)
    {
        var deviceId = DeviceOf(message.Topic);
        var report = CloudJson.TryDecode<DeviceReport>(message.Payload, out var error);
        if (report is null)
        {
            _sink(Source, "error", $"ignored message on {message.Topic}: not a DeviceReport ({error})");
            return;
        }
        if (report.DeviceId != deviceId)
        {
            _sink(Source, "error", $"ignored report on {message.Topic}: it names device '{report.DeviceId}'");
            return;
        }
        OtaInstruction? toSend;
        string decision;
        lock (_gate)
        {
            var state = StateOf(deviceId);
            state.LastReport = report;
            state.Chips = report.Chips ?? state.Chips;
            ApplyReport(state, report);
            (toSend, decision) = DecideModule(state, deviceId);
        }
        _sink(Source, "ota", decision);
        if (toSend is not null)
        {
            await Broker.PublishAsync(CloudTopics.OtaInstruction(deviceId), CloudJson.Encode(toSend), CancellationToken.None).ConfigureAwait(false);
        }
        // Kept last, so a step that saw the report knows the instruction (if any) is already on its way.
        _reports.Add(deviceId, report);
    }

    /// <summary>A report that shows the instructed version, or an upgrade failure, ends the outstanding instruction.</summary>
    private void ApplyReport(DeviceState state, DeviceReport report)
    {
        if (state.Outstanding is not { } outstanding)
        {
            return;
        }
        if (FirmwareVersion.TryParse(report.Module.Version, out var running) && running.ToString() == outstanding.Version)
        {
            _sink(Source, "ota", $"{report.DeviceId} runs {running}: instruction {outstanding.InstructionId} done");
            state.Outstanding = null;
        }
        else if (report.Reason == "upgrade-failed")
        {
            _sink(Source, "ota", $"{report.DeviceId} reports upgrade-failed: instruction {outstanding.InstructionId} ended");
            state.Outstanding = null;
        }
    }

    /// <summary>The module rule of docs/cloud.md §2.1: a module whose version differs (older or newer) gets an instruction, unless one for that version is outstanding (then the same one again).</summary>
    private (OtaInstruction? Send, string Decision) DecideModule(DeviceState state, string deviceId)
    {
        var reported = state.LastReport!.Module.Version;
        if (_firmware.Current(OtaInstruction.ModuleModelId) is not { } published)
        {
            return (null, $"{deviceId} runs module {reported}; no module image published");
        }
        if (!FirmwareVersion.TryParse(reported, out var running))
        {
            return (null, $"{deviceId} reports module version '{reported}', not major.minor.patch: left alone");
        }
        var comparison = VersionOrder.Compare(running, published.Version);
        if (comparison == 0)
        {
            return (null, $"{deviceId} runs the published module {published.Version}");
        }
        // Differs, not only older: a module newer than the server's version is brought back to it (a bad release rolled back).
        var direction = comparison > 0 ? $", newer than the published {published.Version} (a rollback)" : "";
        if (state.Outstanding is { } outstanding && outstanding.Version == published.Version.ToString())
        {
            return (outstanding, $"{deviceId} runs module {running}{direction}: instruction {outstanding.InstructionId} for {published.Version} is outstanding, sent again");
        }
        var instruction = new OtaInstruction($"ins-{Interlocked.Increment(ref _nextInstruction)}", published.Version.ToString(),
            FirmwareUrl(published), published.Sha256, published.Bytes.LongLength);
        state.Outstanding = instruction;
        return (instruction, $"{deviceId} runs module {running}{direction}: instruction {instruction.InstructionId} to {published.Version}");
    }

    private async Task OnEventAsync(BrokerMessage message)
    {
        var deviceId = DeviceOf(message.Topic);
        var e = CloudJson.TryDecode<DeviceEvent>(message.Payload, out var error);
        if (e is null)
        {
            _sink(Source, "error", $"ignored message on {message.Topic}: not a DeviceEvent ({error})");
            return;
        }
        CampaignInstruction? toSend = null;
        DeviceEvent? empty = null;
        lock (_gate)
        {
            var state = StateOf(deviceId);
            if (state.Outstanding is { } outstanding && e.InstructionId == outstanding.InstructionId && InstructionEndingEvents.Contains(e.Event))
            {
                state.Outstanding = null;
                _sink(Source, "ota", $"{deviceId} {e.Event}: instruction {outstanding.InstructionId} ended");
            }
            if (e.Event == "prepared")
            {
                (toSend, empty) = OnPrepared(state, deviceId, e);
            }
            else if (state.CampaignPhase is not null && e.CampaignId == state.CampaignId && CampaignEndingEvents.Contains(e.Event))
            {
                state.CampaignPhase = null;
                _sink(Source, "ota", $"{deviceId} {e.Event}: campaign {e.CampaignId} ended");
            }
            if (e.Event == "campaign-failed" && e.CampaignId == state.CampaignId && e.Chip is { } failed && state.Campaign?.Order.Contains(failed) == true)
            {
                // A download-failed ended the campaign before its campaign-failed came; only a failure naming a chip of the order can be resumed.
                state.FailedChip = failed;
                _sink(Source, "ota", $"{deviceId}: campaign {e.CampaignId} failed on chip 0x{failed:X2}; a retry starts there");
            }
        }
        if (toSend is not null)
        {
            await Broker.PublishAsync(CloudTopics.OtaCampaign(deviceId), CloudJson.Encode(toSend), CancellationToken.None).ConfigureAwait(false);
        }
        // Kept after the campaign is sent, so a step that saw "prepared" knows the campaign (if any) is on its way;
        // the server's own "campaign-empty" comes right after the "prepared" that led to it.
        _events.Add(deviceId, e);
        if (empty is not null)
        {
            _events.Add(deviceId, empty);
        }
    }

    /// <summary>
    /// Second phase of a campaign (docs/cloud.md §2.3): the "prepared" of the preparing campaign carries the chips;
    /// the campaign is planned from them and sent, or ends at once ("campaign-empty") when no chip needs upgrading.
    /// </summary>
    private (CampaignInstruction? Send, DeviceEvent? Empty) OnPrepared(DeviceState state, string deviceId, DeviceEvent e)
    {
        if (state.CampaignPhase is null || e.CampaignId != state.CampaignId)
        {
            _sink(Source, "ota", $"{deviceId} prepared for campaign {e.CampaignId?.ToString() ?? "(none)"}: ignored, "
                + (state.CampaignPhase is null ? "no campaign is running" : $"campaign {state.CampaignId} is {state.CampaignPhase}"));
            return (null, null);
        }
        if (e.Chips is not { Count: > 0 } chips)
        {
            _sink(Source, "error", $"{deviceId} prepared for campaign {e.CampaignId} without chips: ignored");
            return (null, null);
        }
        state.Chips = chips;
        if (state.CampaignPhase == CampaignPhases.Running)
        {
            // The chain run's own PREPARE, relayed once the campaign was sent: only the chips' versions are news.
            return (null, null);
        }
        var id = state.CampaignId!.Value;
        var plan = CampaignPlanner.Plan(deviceId, chips, _productOrders.GetValueOrDefault(state.LastReport!.Product), _firmware.Current);
        foreach (var note in plan.Notes)
        {
            _sink(Source, "ota", note);
        }
        if (plan.Order.Count == 0)
        {
            state.CampaignPhase = null;
            const string Nothing = "nothing to upgrade: no chip's version differs from its published image";
            _sink(Source, "ota", $"campaign {id} for {deviceId} ended: {Nothing}");
            return (null, new DeviceEvent("campaign-empty") { CampaignId = id, Detail = Nothing });
        }
        var images = plan.Order.Select(m => _firmware.Current(m)!)
            .Select(i => new CampaignImage(i.ModelId, i.Version.ToString(), FirmwareUrl(i), i.Sha256, i.Bytes.LongLength))
            .ToList();
        var campaign = new CampaignInstruction(id, plan.Order, images);
        state.Campaign = campaign;
        state.CampaignPhase = CampaignPhases.Running;
        _sink(Source, "ota", $"campaign {id} for {deviceId}: order [{string.Join(", ", campaign.Order.Select(m => $"0x{m:X2}"))}]");
        return (campaign, null);
    }
}
