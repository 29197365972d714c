using HilRig.Core.Servers;
using HilRig.Protocol.Cloud;
using HilRig.Servers.TargetOta;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using static HilRig.Scenarios.StepDefinitions.WifiSteps;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about chip campaigns the target OTA server runs (docs/cloud.md §2.3, §2.4).</summary>
[Binding]
public sealed class CloudCampaignSteps(BenchDriver bench, CloudDriver cloud, UpgradeDriver upgrade, RigSettings settings)
{
    /// <summary>How long a campaign through the target server may take on the sim benches (downloads, three chips at 115200 baud, faults).</summary>
    private static readonly TimeSpan CampaignTimeout = TimeSpan.FromSeconds(120);

    private readonly Dictionary<string, CatalogImage> _published = new();
    private uint? _campaignId;

    private uint CampaignId => _campaignId ?? throw new InvalidOperationException("no campaign was started in this scenario");

    private async Task PublishAsync(string version, IEnumerable<string> chips)
    {
        var catalog = new FirmwareCatalog(settings.FirmwareDirectory);
        foreach (var name in chips)
        {
            var image = catalog.Find(bench.Chip(name).ModelId, FirmwareVersion.Parse(version));
            await cloud.PublishImageAsync(image.Header.ModelId, version, image.Path, bench.Cancellation);
            _published[name] = image;
        }
    }

    [Given("the target server publishes version {string} for every chip")]
    public Task GivenPublishAll(string version) => PublishAsync(version, bench.Wiring.Chips.Select(c => c.Name));

    [Given("the target server publishes version {string} for the farthest chip only")]
    public Task GivenPublishFarthest(string version) => PublishAsync(version, [bench.Wiring.UpgradeOrder[0]]);

    [Given("the target server's upgrade order for the product is the bench's default order")]
    public Task GivenProductOrder() =>
        cloud.Admin.SetProductOrderAsync(cloud.Cloud.Wiring.Product, bench.Wiring.UpgradeOrder.Select(n => bench.Chip(n).ModelId).ToList(), bench.Cancellation);

    [Given(@"^the target server's upgrade order for the product is ([\w, -]+)$")]
    public Task GivenProductOrderOf(string order) =>
        cloud.Admin.SetProductOrderAsync(cloud.Cloud.Wiring.Product, ChipNames(order).Select(n => bench.Chip(n).ModelId).ToList(), bench.Cancellation);

    [Then(@"^the target server's campaign named the order ([\w, -]+)$")]
    public async Task ThenCampaignOrder(string order)
    {
        var expected = ChipNames(order).Select(n => bench.Chip(n).ModelId).ToList();
        var view = await cloud.Admin.GetDeviceAsync(cloud.DeviceId, bench.Cancellation);
        var campaign = view?.Campaign;
        Expect.That(campaign is not null && campaign.CampaignId == CampaignId,
            $"the target server holds no campaign instruction for campaign {CampaignId} (its latest: {campaign?.CampaignId.ToString() ?? "none"})");
        Expect.That(campaign!.Order.SequenceEqual(expected), $"the target server's campaign named the order [{Hex(campaign.Order)}], expected [{Hex(expected)}] ({order})");
    }

    private static List<string> ChipNames(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    [Given("the target server has upgraded every chip to version {string}")]
    public async Task GivenUpgradedEveryChip(string version)
    {
        await GivenPublishAll(version);
        await WhenStartCampaign();
        await ThenReceives("campaign-complete");
    }

    [When("the target server starts a campaign for the module")]
    public async Task WhenStartCampaign()
    {
        var started = await cloud.Admin.StartCampaignAsync(cloud.DeviceId, bench.Cancellation);
        _campaignId = started.CampaignId;
    }

    [Then("the target server receives {string} for the campaign")]
    public Task ThenReceives(string name) => ThenReceivesNaming(name, "");

    [Then("the target server receives {string} for the campaign naming {string}")]
    public async Task ThenReceivesNaming(string name, string text)
    {
        var id = CampaignId;
        bool Expected(DeviceEvent e) => e.Event == name && e.CampaignId == id && (e.Detail ?? "").Contains(text, StringComparison.Ordinal);
        // A campaign expected to complete that failed instead will not complete: fail at once, saying how it ended.
        // (Failures are not cut short this way: a download-failed is followed by the campaign-failed it causes.)
        // The server's own "campaign-empty" (nothing differed, docs/cloud.md §2.3) ends a campaign too.
        bool EndedOtherwise(DeviceEvent e) => name == "campaign-complete" && e.CampaignId == id && e.Event != name
            && (TargetOtaServer.CampaignEndingEvents.Contains(e.Event) || e.Event == "campaign-empty");
        var got = await Wait(cloud.Cloud.Target.WaitForEventAsync(cloud.DeviceId, e => Expected(e) || EndedOtherwise(e),
            $"'{name}' for campaign {id}{(text.Length > 0 ? $" naming '{text}'" : "")}", CampaignTimeout, bench.Cancellation));
        Expect.That(Expected(got), $"campaign {id} ended with '{got.Event}'{(got.Chip is { } c ? $" for chip 0x{c:X2}" : "")}" +
            $"{(got.Detail is { Length: > 0 } d ? $": {d}" : "")}, not with '{name}'{(text.Length > 0 ? $" naming '{text}'" : "")}");
        await upgrade.AdoptCloudCampaignAsync(_published, bench.Cancellation);
    }

    [Then("the target server received \"chip-complete\" for the chips in the bench's default order")]
    public void ThenCompletionsInOrder()
    {
        var id = CampaignId;
        var completed = cloud.Cloud.Target.EventsOf(cloud.DeviceId).Where(e => e.Event == "chip-complete" && e.CampaignId == id && e.Chip is not null)
            .Select(e => e.Chip!.Value).ToList();
        var expected = bench.Wiring.UpgradeOrder.Select(n => bench.Chip(n).ModelId).ToList();
        Expect.That(completed.SequenceEqual(expected),
            $"the target server heard chip-complete for [{Hex(completed)}], expected [{Hex(expected)}] (the bench's default order)");
    }

    [Then("the target server received \"chip-complete\" from every chip before its parent's")]
    public void ThenFarToNear()
    {
        var id = CampaignId;
        var completed = cloud.Cloud.Target.EventsOf(cloud.DeviceId).Where(e => e.Event == "chip-complete" && e.CampaignId == id && e.Chip is not null)
            .Select(e => e.Chip!.Value).ToList();
        var problems = new List<string>();
        foreach (var chip in bench.Wiring.Chips)
        {
            var at = completed.IndexOf(chip.ModelId);
            if (at < 0)
            {
                problems.Add($"{chip.Name} (0x{chip.ModelId:X2}) never completed");
                continue;
            }
            var parent = bench.Wiring.Parent(chip.Name);
            if (parent != Core.Wiring.ModuleWiring.Name && completed.IndexOf(bench.Chip(parent).ModelId) is var p && p >= 0 && p < at)
            {
                problems.Add($"{parent} completed before its child {chip.Name}");
            }
        }
        Expect.That(problems.Count == 0, $"far-to-near broken (completions [{Hex(completed)}]): {string.Join("; ", problems)}");
    }

    [Then("only the farthest chip was upgraded")]
    public async Task ThenOnlyFarthest()
    {
        var farthest = bench.Wiring.UpgradeOrder[0];
        var id = CampaignId;
        var completed = cloud.Cloud.Target.EventsOf(cloud.DeviceId).Where(e => e.Event == "chip-complete" && e.CampaignId == id).Select(e => e.Chip).ToList();
        Expect.That(completed.Count == 1 && completed[0] == bench.Chip(farthest).ModelId, $"chip-complete came for [{Hex(completed.OfType<byte>().ToList())}], expected only {farthest}");
        var statuses = await bench.Bench.Probe.QueryAllAsync(bench.Cancellation);
        Expect.ForEachChip(statuses, (name, s) =>
            s is null ? $"{name} is silent" :
            name == farthest ? (s.ActiveVersion == _published[farthest].Header.Version ? null : $"{name} runs {s.ActiveVersion}, expected {_published[farthest].Header.Version}") :
            s.ActiveVersion == new FirmwareVersion(1, 0, 0) ? null : $"{name} runs {s.ActiveVersion}; it was not in the campaign and should still run 1.0.0");
    }

    [Then("only the farthest chip was in the campaign, and it runs version {string} while every other chip runs {string}")]
    public async Task ThenOnlyFarthestRuns(string farthestVersion, string othersVersion)
    {
        var farthest = bench.Wiring.UpgradeOrder[0];
        var id = CampaignId;
        var completed = cloud.Cloud.Target.EventsOf(cloud.DeviceId).Where(e => e.Event == "chip-complete" && e.CampaignId == id).Select(e => e.Chip).ToList();
        Expect.That(completed.Count == 1 && completed[0] == bench.Chip(farthest).ModelId,
            $"campaign {id} sent chip-complete for [{Hex(completed.OfType<byte>().ToList())}], expected only {farthest}");
        var (expectedFarthest, expectedOthers) = (FirmwareVersion.Parse(farthestVersion), FirmwareVersion.Parse(othersVersion));
        var statuses = await bench.Bench.Probe.QueryAllAsync(bench.Cancellation);
        Expect.ForEachChip(statuses, (name, s) =>
        {
            if (s is null) return $"{name} is silent";
            var expected = name == farthest ? expectedFarthest : expectedOthers;
            if (s.ActiveVersion != expected) return $"{name} runs {s.ActiveVersion}, expected {expected}";
            return name == farthest && s.ActiveDigestHex != _published[farthest].Header.DigestHex
                ? $"{name} reports body SHA-256 {s.ActiveDigestHex}, the published image's is {_published[farthest].Header.DigestHex}" : null;
        });
    }

    private static string Hex(IReadOnlyList<byte> ids) => string.Join(", ", ids.Select(i => $"0x{i:X2}"));
}
