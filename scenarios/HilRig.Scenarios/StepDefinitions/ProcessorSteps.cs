using HilRig.Protocol.Cloud;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;
using static HilRig.Scenarios.StepDefinitions.WifiSteps;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Steps about the device's processor and the module (docs/protocol.md §7.7): the rig stands as the processor on the link
/// between the module and chip 1 (<see cref="Core.Bench.RigProcessor"/>) and the steps read what it received and answered.
/// </summary>
[Binding]
public sealed class ProcessorSteps(BenchDriver bench, CloudDriver cloud)
{
    /// <summary>How long the processor waits for a frame the module should send (a command relayed, a notice).</summary>
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long the vendor waits for a command's reply: more than the module's own CONTROL_REPLY wait (3000 ms, §7.5).</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly List<CommandReply> _replies = new();
    private ControlCommand? _command;

    [Given("the rig stands as the device's processor")]
    public void GivenProcessor() => bench.Processor.ReportStatus();

    [Given("the processor answers nothing")]
    public void GivenSilent() => bench.Processor.Silent = true;

    [Given("the processor answers {string} with failure {string}")]
    public void GivenScripted(string name, string result) => bench.Processor.Script(name, false, result);

    [Given("the device body is operating")]
    [When("the device body starts operating")]
    public void GivenOperating() => bench.Processor.SetOperating(true);

    [When("the device body stops operating")]
    public void WhenIdle() => bench.Processor.SetOperating(false);

    [When("the processor reports the device body operating in mode {string}")]
    public void WhenReportsMode(string mode) => bench.Processor.SetOperating(true, mode);

    [When("vendor server {string} sends the module {string} {string}")]
    public async Task WhenCommand(string serverId, string name, string argument)
    {
        var vendor = cloud.Cloud.Vendor(serverId);
        _command = vendor.NewCommand(name, argument.Length == 0 ? null : argument);
        _replies.Add(await Wait(vendor.SendCommandAsync(cloud.DeviceId, _command, ReplyTimeout, bench.Cancellation)));
    }

    [When("vendor server {string} sends the module {string} {string} twice with the same command id")]
    public async Task WhenCommandTwice(string serverId, string name, string argument)
    {
        await WhenCommand(serverId, name, argument);
        _replies.Add(await Wait(cloud.Cloud.Vendor(serverId).SendCommandAsync(cloud.DeviceId, _command!, ReplyTimeout, bench.Cancellation)));
    }

    [Then("the processor received {string} {string} with the vendor's command id")]
    public async Task ThenProcessorReceived(string name, string argument)
    {
        var id = (_command ?? throw new InvalidOperationException("no command was sent in this scenario")).CommandId;
        var control = await Wait(bench.Processor.WaitForControlAsync(c => c.CommandId == id, $"CONTROL for command {id} ({name} {argument})", FrameTimeout, bench.Cancellation));
        Expect.That(control.Name == name && control.Argument == argument,
            $"the processor received CONTROL {control.CommandId} '{control.Name}' '{control.Argument}', expected '{name}' '{argument}'");
    }

    [Then("vendor server {string} gets the reply ok {string}")]
    public void ThenReplyOk(string serverId, string result) => ExpectReply(true, result, exact: true);

    [Then("vendor server {string} gets the reply failed {string}")]
    public void ThenReplyFailed(string serverId, string result) => ExpectReply(false, result, exact: true);

    [Then("vendor server {string} gets a failed reply starting with {string}")]
    public void ThenReplyFailedStarting(string serverId, string prefix) => ExpectReply(false, prefix, exact: false);

    [Then("vendor server {string} gets the reply ok {string} both times")]
    public void ThenBothReplies(string serverId, string result)
    {
        Expect.That(_replies.Count == 2, $"the vendor got {_replies.Count} replies, expected 2");
        Expect.That(_replies.All(r => r.Ok && r.Result == result && r.CommandId == _command!.CommandId),
            $"the replies were {string.Join("; ", _replies.Select(r => $"{r.CommandId} ok={r.Ok} '{r.Result}'"))}, expected ok '{result}' for {_command!.CommandId} both times");
    }

    private void ExpectReply(bool ok, string text, bool exact)
    {
        Expect.That(_replies.Count > 0, "no command was answered in this scenario");
        var reply = _replies[^1];
        var matches = reply.Ok == ok && (exact ? reply.Result == text : (reply.Result ?? "").StartsWith(text, StringComparison.Ordinal));
        Expect.That(matches, $"the vendor got the reply {reply.CommandId} ok={reply.Ok} '{reply.Result}', expected {(ok ? "ok" : "failed")} {(exact ? "" : "starting with ")}'{text}'");
    }

    [Then("the processor ran that command once")]
    public void ThenRanOnce()
    {
        var id = _command!.CommandId;
        Expect.That(bench.Processor.Runs(id) == 1, $"the processor ran command {id} {bench.Processor.Runs(id)} time(s) (it received CONTROL for it {bench.Processor.Controls.Count(c => c.CommandId == id)} time(s))");
    }

    [Then("the processor received no control command")]
    public void ThenNoControl()
    {
        var controls = bench.Processor.Controls;
        Expect.That(controls.Count == 0, $"the processor received {string.Join("; ", controls.Select(c => $"CONTROL {c.CommandId} {c.Name} '{c.Argument}'"))}");
    }

    [Then("vendor server {string} receives a status report with power {string}")]
    public Task ThenStatusPower(string serverId, string power) =>
        Wait(cloud.Cloud.Vendor(serverId).WaitForStatusAsync(cloud.DeviceId, s => s.Power == power && s.Operating is not null,
            $"a status report with power {power} from the processor's BODY_STATUS", FrameTimeout, bench.Cancellation));

    [Then("vendor server {string} receives a status report with power {string}, operating, and mode {string}")]
    public Task ThenStatusReport(string serverId, string power, string mode) =>
        Wait(cloud.Cloud.Vendor(serverId).WaitForStatusAsync(cloud.DeviceId, s => s.Power == power && s.Operating == true && s.Mode == mode,
            $"a status report with power {power}, operating, mode {mode}", FrameTimeout, bench.Cancellation));

    [Then("the module's {string} answer through vendor server {string} says power {string}, operating, and mode {string}")]
    public async Task ThenGetStatus(string command, string serverId, string power, string mode)
    {
        var reply = await Wait(cloud.Cloud.Vendor(serverId).SendCommandAsync(cloud.DeviceId, command, null, ReplyTimeout, bench.Cancellation));
        var status = reply.Result is null ? null : CloudJson.TryDecode<StatusReport>(System.Text.Encoding.UTF8.GetBytes(reply.Result), out _);
        Expect.That(status is not null && status.Power == power && status.Operating == true && status.Mode == mode,
            $"the module's {command} answer was ok={reply.Ok} '{reply.Result}', expected power {power}, operating, mode {mode}");
    }

    [Then("the processor accepted the OTA notice of the module's own firmware {string}")]
    public async Task ThenModuleNoticeAccepted(string version)
    {
        await Wait(bench.Processor.WaitForNoticeAsync((n, a) => IsModuleNotice(n, version) && a == OtaAnswer.Accept, 1,
            $"OTA_NOTICE for WiFi firmware {version} that it accepted", FrameTimeout, bench.Cancellation));
    }

    [Then("the processor answered BUSY to the OTA notice of the module's own firmware {string} at least {int} times")]
    public Task ThenModuleNoticeBusy(string version, int count) =>
        ExpectBusy(n => IsModuleNotice(n, version), count, $"WiFi firmware {version}");

    [Then("the processor accepted the OTA notice of the campaign, naming every chip at version {string}")]
    public async Task ThenCampaignNoticeAccepted(string version)
    {
        var seen = await Wait(bench.Processor.WaitForNoticeAsync((n, a) => n.Kind == OtaNoticeKind.Chips && a == OtaAnswer.Accept, 1,
            "OTA_NOTICE for a chip campaign that it accepted", FrameTimeout, bench.Cancellation));
        var notice = seen!.Value.Notice;
        var campaign = (await cloud.Admin.GetDeviceAsync(cloud.DeviceId, bench.Cancellation))?.Campaign
            ?? throw new ExpectationException("the target server holds no campaign for the module");
        Expect.That(notice.NoticeId == campaign.CampaignId, $"the notice's id is {notice.NoticeId}, the target server's campaign is {campaign.CampaignId}");
        var everyChip = bench.Wiring.Chips.Select(c => c.ModelId).Order().SequenceEqual(campaign.Order.Order());
        Expect.That(everyChip && notice.Images.Select(i => i.ModelId).SequenceEqual(campaign.Order) && notice.Images.All(i => i.Version.ToString() == version),
            $"the notice named [{string.Join(", ", notice.Images.Select(i => $"0x{i.ModelId:X2} {i.Version}"))}], expected every chip in the campaign's order "
            + $"[{string.Join(", ", campaign.Order.Select(c => $"0x{c:X2}"))}] at {version}");
    }

    [Then("the processor answered BUSY to the OTA notice of the campaign at least {int} times")]
    public Task ThenCampaignNoticeBusy(int count) => ExpectBusy(n => n.Kind == OtaNoticeKind.Chips, count, "the chip campaign");

    private async Task ExpectBusy(Func<OtaNoticePayload, bool> match, int count, string what)
    {
        await Wait(bench.Processor.WaitForNoticeAsync((n, _) => match(n), count, $"{count} OTA_NOTICEs for {what}", FrameTimeout, bench.Cancellation));
        var answers = bench.Processor.Notices.Where(n => match(n.Notice)).Select(n => n.Answer).ToList();
        Expect.That(answers.All(a => a == OtaAnswer.Busy), $"the processor answered the notices for {what}: {string.Join(", ", answers.Select(a => a?.ToString() ?? "nothing"))}");
    }

    private static bool IsModuleNotice(OtaNoticePayload n, string version) =>
        n.Kind == OtaNoticeKind.Module && n.Images.Count == 1 && n.Images[0].ModelId == OtaInstruction.ModuleModelId && n.Images[0].Version.ToString() == version;
}
