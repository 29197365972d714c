using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Core.Faults;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using static HilRig.Scenarios.StepDefinitions.WifiSteps;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about the module's own upgrade from the target server, server faults and network faults (docs/cloud.md §2, §3.4).</summary>
[Binding]
public sealed partial class ModuleOtaSteps(BenchDriver bench, CloudDriver cloud, FaultDriver faults)
{
    [Given("the module reports WiFi firmware {string} to the target server")]
    public Task GivenReports(string version) =>
        Wait(cloud.Cloud.Target.WaitForReportAsync(cloud.DeviceId, r => r.Module.Version == version,
            $"a report with WiFi firmware {version}", CloudDriver.ConnectTimeout, bench.Cancellation));

    [When("the target server publishes WiFi firmware {string}")]
    public Task WhenPublishModule(string version) =>
        cloud.PublishImageAsync(OtaInstruction.ModuleModelId, version, cloud.ModuleImagePath(version), bench.Cancellation);

    [Then("the module reports WiFi firmware {string} from slot {string} to the target server after rebooting")]
    public Task ThenReportsAfterReboot(string version, string slot) =>
        Wait(cloud.Cloud.Target.WaitForReportAsync(cloud.DeviceId, r => r.Module.Version == version && r.Module.Slot == slot,
            $"a report with WiFi firmware {version} from slot {slot}", CloudDriver.ModuleUpgradeTimeout, bench.Cancellation));

    [Given("the target server has upgraded the module to WiFi firmware {string} in slot {string}")]
    public async Task GivenUpgradedModule(string version, string slot)
    {
        await WhenPublishModule(version);
        await ThenRebootedInto(version, slot);
    }

    /// <summary>
    /// A report of <paramref name="version"/> in <paramref name="slot"/> sent after the module's own upgrade (reason
    /// "rebooted", docs/cloud.md §4.3): a report of the same version and slot from before the upgrade does not count.
    /// </summary>
    [Then("the module reports WiFi firmware {string} from slot {string} to the target server after rebooting into it")]
    public Task ThenRebootedInto(string version, string slot) =>
        Wait(cloud.Cloud.Target.WaitForReportAsync(cloud.DeviceId, r => r.Module.Version == version && r.Module.Slot == slot && r.Reason == "rebooted",
            $"a report with WiFi firmware {version} from slot {slot}, reason rebooted", CloudDriver.ModuleUpgradeTimeout, bench.Cancellation));

    [Then("the module downloaded the image exactly once, without any byte sent twice")]
    public void ThenDownloadedOnce()
    {
        var downloads = FirmwareRequests().ToList();
        Expect.That(downloads.Count == 1, $"the module asked for firmware {downloads.Count} times: {string.Join("; ", downloads.Select(d => d.Summary))}");
        var size = new FileInfo(cloud.ModuleImagePath("2.1.0")).Length;
        var bytes = BytesOf(downloads[0].Summary);
        Expect.That(bytes == size, $"the server sent {bytes} bytes of a {size}-byte image");
    }

    [Then("the target server sent the module no OTA instruction within {int} ms")]
    public async Task ThenNoInstruction(int ms)
    {
        await Task.Delay(ms, bench.Cancellation);
        var view = await cloud.Admin.GetDeviceAsync(cloud.DeviceId, bench.Cancellation);
        Expect.That(view?.OutstandingInstruction is null, $"the target server sent instruction {view?.OutstandingInstruction?.InstructionId} for {view?.OutstandingInstruction?.Version}");
        var sent = cloud.Timeline.Snapshot().Where(e => e.Source == "target" && e.Kind == "mqtt" && e.Summary.StartsWith($"backend → {CloudTopics.OtaInstruction(cloud.DeviceId)}", StringComparison.Ordinal)).ToList();
        Expect.That(sent.Count == 0, $"the target server published on the instruction topic: {string.Join("; ", sent.Select(s => s.Summary))}");
    }

    [When("vendor server {string}'s OTA unit pushes WiFi firmware {string} to the module")]
    public async Task WhenVendorOtaPushes(string serverId, string version)
    {
        var unit = cloud.Cloud.Vendor(serverId).OtaUnit
            ?? throw new ExpectationException($"vendor server '{serverId}' runs no OTA unit (set ota_unit: true in the wiring file)");
        await unit.PushInstructionAsync(cloud.DeviceId, version, bench.Cancellation);
    }

    [Then("the target server receives the module's {string} event")]
    public Task ThenEvent(string name) => ThenEventNaming(name, "");

    /// <summary>Events that end the module's own upgrade: waiting for one of them stops at whichever comes first.</summary>
    private static readonly string[] UpgradeEnds = ["module-upgraded", "module-upgrade-failed"];

    [Then("the target server receives the module's {string} event naming {string}")]
    public async Task ThenEventNaming(string name, string text)
    {
        var ends = UpgradeEnds.Contains(name);
        var seen = await Wait(cloud.Cloud.Target.WaitForEventAsync(cloud.DeviceId,
            e => (e.Event == name && (e.Detail ?? "").Contains(text, StringComparison.Ordinal)) || (ends && UpgradeEnds.Contains(e.Event) && e.Event != name),
            $"the module's {name} event{(text.Length > 0 ? $" naming '{text}'" : "")}", CloudDriver.ModuleUpgradeTimeout, bench.Cancellation));
        Expect.That(seen.Event == name, $"the module reported {seen.Event} ({seen.Detail}) where {name} was expected");
    }

    [Then("the module still runs WiFi firmware {string} from slot {string}")]
    public async Task ThenStillRuns(string version, string slot)
    {
        var firmware = await cloud.ModuleFirmwareAsync(cloud.Cloud.Wiring.Vendors[0].Id);
        Expect.That(firmware.Version == version && firmware.Slot == slot, $"the module runs WiFi firmware {firmware.Version} from slot {firmware.Slot}, expected {version} from slot {slot}");
    }

    [When("vendor server {string} sends the module {int} {string} commands while the module downloads its firmware")]
    public async Task WhenCommandsDuringDownload(string serverId, int count, string name)
    {
        await Wait(cloud.Cloud.Target.WaitForEventAsync(cloud.DeviceId, e => e.Event == "download-progress" && e.InstructionId is not null,
            "the module's first download progress", CloudDriver.ModuleUpgradeTimeout, bench.Cancellation));
        cloud.SendCommandsInBackground(serverId, name, count);
        await cloud.SendCommandsAsync();
        var status = cloud.Cloud.Vendor(serverId).StatusReports(cloud.DeviceId);
        Expect.That(status.Any(s => s.Activity == "module-upgrade"), "the module never reported its own upgrade in its status while the commands ran");
    }

    [When("vendor server {string} sends the module {int} {string} commands while the chips are upgraded")]
    public async Task WhenCommandsDuringCampaign(string serverId, int count, string name)
    {
        await Wait(cloud.Cloud.Target.WaitForEventAsync(cloud.DeviceId, e => e.Event == "chip-start",
            "the first chip's START_ACK", TimeSpan.FromSeconds(60), bench.Cancellation));
        cloud.SendCommandsInBackground(serverId, name, count);
        await cloud.SendCommandsAsync();
    }

    [Then("every command was answered, each once")]
    public void ThenEveryCommandAnswered()
    {
        var replies = cloud.Replies;
        Expect.That(replies.Count == cloud.CommandsSent, $"{replies.Count} replies to {cloud.CommandsSent} commands");
        Expect.That(replies.All(r => r.Ok), $"failed replies: {string.Join("; ", replies.Where(r => !r.Ok).Select(r => $"{r.CommandId}: {r.Result}"))}");
        var duplicates = replies.GroupBy(r => r.CommandId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Expect.That(duplicates.Count == 0, $"answered twice: {string.Join(", ", duplicates)}");
        var sources = cloud.Timeline.Snapshot().Where(e => e.Kind == "mqtt" && e.Summary.Contains(CloudTopics.VendorReply(cloud.DeviceId), StringComparison.Ordinal)).Count();
        Expect.That(sources == cloud.CommandsSent, $"the vendor server's broker carried {sources} replies for {cloud.CommandsSent} commands");
    }

    [Given(@"^the network will go down for (\d+) ms ((?:at|when|after) .+)$")]
    public void GivenNetworkDown(int ms, string when) =>
        faults.Arm(faults.Trigger(when), new NetworkDown(TimeSpan.FromMilliseconds(ms)));

    [Given(@"^the target server's broker will restart, down for (\d+) ms, ((?:at|when|after) .+)$")]
    public void GivenBrokerRestart(int ms, string when) =>
        faults.Arm(faults.Trigger(when), new BrokerRestart(cloud.Cloud.Wiring.TargetId, TimeSpan.FromMilliseconds(ms)));

    [Then("the module resumed its download with a Range request from byte {int} or later")]
    public void ThenResumedWithRange(int from)
    {
        var ranged = FirmwareRequests().Select(e => RangeStart().Match(e.Summary)).Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Expect.That(ranged.Count > 0, $"no firmware request carried a Range header: {string.Join("; ", FirmwareRequests().Select(e => e.Summary))}");
        Expect.That(ranged.Max() >= from, $"the module resumed from byte {ranged.Max()}, expected {from} or later (requests: {string.Join("; ", FirmwareRequests().Select(e => e.Summary))})");
    }

    [Given("the target server will cut the next firmware download after {int} bytes")]
    public void GivenCut(int bytes) => cloud.Cloud.Target.HttpFaults.TruncateNextDownloadAt(bytes);

    [Given("the target server will answer the next {int} firmware requests with HTTP 500")]
    public void GivenServerErrors(int count) => cloud.Cloud.Target.HttpFaults.FailNextRequests(count);

    [Given("the target server will alter the bytes of the next firmware download")]
    public void GivenCorrupt() => cloud.Cloud.Target.HttpFaults.CorruptNextDownloads(1);

    private IEnumerable<Core.Timeline.TimelineEvent> FirmwareRequests() =>
        cloud.Timeline.Snapshot().Where(e => e.Source == "target" && e.Kind == "http" && e.Summary.StartsWith("GET /firmware/", StringComparison.Ordinal));

    private static long BytesOf(string summary) =>
        BytesSent().Match(summary) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"Range: bytes=(\d+)-")]
    private static partial Regex RangeStart();

    [GeneratedRegex(@"→ \d+, (\d+) bytes")]
    private static partial Regex BytesSent();
}
