using HilRig.Core.Verification;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using HilRig.Servers.TargetOta;
using Reqnroll;
using static HilRig.Scenarios.StepDefinitions.WifiSteps;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// The target server's retry of a chip campaign that failed on a chip (docs/cloud.md §2.3, "Retry"): the same campaign sent
/// again, resuming at the failed chip, so the chips completed before it receive no image byte.
/// </summary>
[Binding]
public sealed class CloudCampaignRetrySteps(BenchDriver bench, CloudDriver cloud) : IDisposable
{
    private static readonly TimeSpan CampaignTimeout = TimeSpan.FromSeconds(120);
    private HashSet<DeviceEvent> _beforeRetry = new(ReferenceEqualityComparer.Instance);
    private TransferAccounting? _accounting;

    private async Task<DeviceView> ViewAsync() =>
        await cloud.Admin.GetDeviceAsync(cloud.DeviceId, bench.Cancellation) ?? throw new ExpectationException($"the target server does not know {cloud.DeviceId}");

    [Then(@"^the target server's campaign record names (\w+) as the chip the campaign failed on$")]
    public async Task ThenRecordNamesFailedChip(string chip)
    {
        var id = bench.Chip(chip).ModelId;
        var view = await ViewAsync();
        Expect.That(view.FailedChip == id, $"the target server's record of campaign {view.CampaignId} names {(view.FailedChip is { } f ? $"chip 0x{f:X2}" : "no chip")} as failed, expected {chip} (0x{id:X2})");
        var failed = cloud.Cloud.Target.EventsOf(cloud.DeviceId).LastOrDefault(e => e.Event == "campaign-failed" && e.CampaignId == view.CampaignId);
        Expect.That(failed?.Chip == id, $"the module's campaign-failed names {(failed?.Chip is { } c ? $"chip 0x{c:X2}" : "no chip")}, expected {chip}: {failed?.Detail}");
    }

    [When("the target server retries the campaign")]
    public async Task WhenServerRetries()
    {
        var view = await ViewAsync();
        _beforeRetry = new HashSet<DeviceEvent>(cloud.Cloud.Target.EventsOf(cloud.DeviceId), ReferenceEqualityComparer.Instance);
        _accounting?.Dispose();
        _accounting = new TransferAccounting(bench.Bench);
        var retried = await cloud.Admin.RetryCampaignAsync(cloud.DeviceId, bench.Cancellation);
        Expect.That(retried.CampaignId == view.CampaignId, $"the retry has campaign id {retried.CampaignId}, the failed campaign {view.CampaignId}");
    }

    [Then("the target server receives {string} for the retry")]
    public async Task ThenRetryEnds(string name)
    {
        var id = (await ViewAsync()).CampaignId;
        bool Ends(DeviceEvent e) => !_beforeRetry.Contains(e) && e.CampaignId == id && (e.Event == name || TargetOtaServer.CampaignEndingEvents.Contains(e.Event));
        var got = await Wait(cloud.Cloud.Target.WaitForEventAsync(cloud.DeviceId, Ends, $"the end of the retry of campaign {id}", CampaignTimeout, bench.Cancellation));
        Expect.That(got.Event == name, $"the retry of campaign {id} ended with '{got.Event}'{(got.Chip is { } c ? $" for chip 0x{c:X2}" : "")}: {got.Detail}; expected '{name}'");
    }

    [Then(@"^the retry resumed at (\w+) and sent no image byte to the chips completed before it$")]
    public async Task ThenResumedAt(string chip)
    {
        var id = bench.Chip(chip).ModelId;
        var view = await ViewAsync();
        var campaign = view.Campaign ?? throw new ExpectationException("the target server holds no campaign instruction");
        Expect.That(campaign.Attempt == 2 && campaign.ResumeAt == id,
            $"the server sent attempt {campaign.Attempt?.ToString() ?? "1"} resuming at {(campaign.ResumeAt is { } r ? $"0x{r:X2}" : "nothing")}, expected attempt 2 resuming at {chip} (0x{id:X2})");
        var retry = cloud.Cloud.Target.EventsOf(cloud.DeviceId).Where(e => !_beforeRetry.Contains(e) && e.CampaignId == view.CampaignId).ToList();
        Expect.That(retry.Any(e => e.Event == "campaign-retry" && e.Chip == id), $"the module never said it resumed campaign {view.CampaignId} at {chip} (events: {string.Join(", ", retry.Select(e => e.Event).Distinct())})");
        var from = campaign.Order.ToList().IndexOf(id);
        var expected = campaign.Order.Skip(from).ToList();
        var started = retry.Where(e => e.Event == "chip-start" && e.Chip is not null).Select(e => e.Chip!.Value).Distinct().ToList();
        var completed = retry.Where(e => e.Event == "chip-complete" && e.Chip is not null).Select(e => e.Chip!.Value).ToList();
        Expect.That(started.SequenceEqual(expected) && completed.SequenceEqual(expected),
            $"the retry started [{Names(started)}] and completed [{Names(completed)}], expected [{Names(expected)}]: the chips before {chip} were done");
        var resent = campaign.Order.Take(from).Where(c => _accounting!.BytesSent(c) > 0).ToList();
        Expect.That(resent.Count == 0, $"the retry sent image bytes to {Names(resent)}, which had completed before {chip} failed");
        Expect.That(_accounting!.BytesSent(id) > 0, $"the retry sent {chip} no image byte");
    }

    private string Names(IEnumerable<byte> ids) => string.Join(", ", ids.Select(i => bench.Wiring.ChipByModelId(i)?.Name ?? $"0x{i:X2}"));

    /// <inheritdoc />
    public void Dispose() => _accounting?.Dispose();
}
