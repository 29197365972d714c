using HilRig.Core.Faults;
using HilRig.Core.Servers;
using HilRig.Gherkin;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Failure isolation, the reason for far-to-near: a chip that fails after the far chips completed leaves them on their
/// new images, keeps a bootable image itself, is named alone, and a retry of the campaign upgrades only it (and the
/// chips after it in the order).
/// </summary>
[Binding]
public sealed class FailureIsolationSteps(BenchDriver bench, UpgradeDriver upgrade, FaultDriver faults, RigSettings settings, ScenarioRun scenario)
{
    [When(@"^the server upgrades every chip to version ""([^""]*)"" in the default order, with an image for (\w+) whose body does not match its digest$")]
    public async Task WhenTheServerUpgradesWithOneBadImage(string version, string bad)
    {
        var target = FirmwareVersion.Parse(version);
        var catalog = new FirmwareCatalog(settings.FirmwareDirectory);
        var images = bench.Wiring.UpgradeOrder.ToDictionary(n => n, n => catalog.Find(bench.Chip(n).ModelId, target));
        var good = images[bad];
        var bytes = await File.ReadAllBytesAsync(good.Path, scenario.RunCancellation);
        bytes[ImageHeader.SizeBytes + (bytes.Length - ImageHeader.SizeBytes) / 2] ^= 0x5A;
        var path = Path.Combine(bench.ArtifactsDirectory, $"bad-digest-{bench.Chip(bad).ModelId:x2}.hrim");
        await File.WriteAllBytesAsync(path, bytes, scenario.RunCancellation);
        _goodImages[bad] = good;
        images[bad] = good with { Path = path };
        await upgrade.RunWithImagesAsync(bench.Wiring.UpgradeOrder, images, watchModes: false, scenario.RunCancellation);
    }

    private readonly Dictionary<string, CatalogImage> _goodImages = new();

    [Given(@"^(\w+) will die ((?:at|when|after) .+)$")]
    public void GivenTheChipWillDie(string chip, string when) =>
        faults.Arm(faults.Trigger(when), new PowerOffForGood(bench.Chip(chip).Name));

    [When(@"^(\w+) is powered on again$")]
    public async Task WhenTheChipIsPoweredOnAgain(string chip)
    {
        var name = bench.Chip(chip).Name;
        await bench.Bench.Power(name).OnAsync(scenario.RunCancellation);
        bench.Bench.Timeline.Add("rig", "power", $"{name} powered on again by the scenario");
    }

    [When("the server retries the campaign")]
    public Task WhenTheServerRetriesTheCampaign() => upgrade.RetryAsync(_goodImages, scenario.RunCancellation);

    [Then(@"^the upgrade fails naming (\w+) and no other chip$")]
    public void ThenTheUpgradeFailsNaming(string chip)
    {
        var outcome = upgrade.RequireOutcome();
        var id = bench.Chip(chip).ModelId;
        var final = outcome.Final;
        Expect.That(final.Event == "campaign-failed" && final.Chip == id,
            $"expected the campaign to fail naming {chip} (0x{id:X2}); the module reported {ModuleControlServer.Describe(final)}");
        var others = bench.Wiring.Chips.Where(c => c.ModelId != id && (final.Detail?.Contains($"0x{c.ModelId:X2}", StringComparison.Ordinal) ?? false)).ToList();
        Expect.That(others.Count == 0 || final.Detail!.Contains($"0x{id:X2}", StringComparison.Ordinal),
            $"the failure does not say which chip failed: {ModuleControlServer.Describe(final)}");
        var done = bench.Wiring.UpgradeOrder.TakeWhile(n => n != bench.Chip(chip).Name).Select(n => $"0x{bench.Chip(n).ModelId:X2}").ToList();
        Expect.That((final.Chips ?? []).SequenceEqual(done),
            $"the failure reports chips [{string.Join(", ", final.Chips ?? [])}] as done in the campaign, expected [{string.Join(", ", done)}] (the chips before {chip} in the order)");
    }

    [Then(@"^(\w+) runs version ""([^""]*)"" with the exact image digest of its bundle, in Initial mode$")]
    public async Task ThenTheChipRunsTheNewImage(string chip, string version)
    {
        var name = bench.Chip(chip).Name;
        var status = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        var expected = FirmwareVersion.Parse(version);
        Expect.That(status is not null, $"{name} is silent (asleep or off): its image cannot be read");
        var digest = upgrade.Images.TryGetValue(name, out var image) ? image.Header.DigestHex : "(no image sent to this chip)";
        Expect.That(status!.ActiveVersion == expected && status.ActiveDigestHex == digest && status.Mode == ChipMode.Initial,
            $"{name} runs {status.ActiveVersion} (body SHA-256 {status.ActiveDigestHex}, {status.Mode} mode), expected {expected} with {digest} in Initial mode");
    }

    [Then(@"^(\w+) still boots its old version ""([^""]*)""$")]
    public async Task ThenTheChipStillBootsItsOldImage(string chip, string version)
    {
        var name = bench.Chip(chip).Name;
        var status = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        Expect.That(status is not null, $"{name} does not answer STATUS: it has no bootable image, or it is asleep or off");
        Expect.That(status!.ActiveVersion == FirmwareVersion.Parse(version),
            $"{name} boots {status.ActiveVersion} (state {status.State}, {status.Mode} mode), expected its old image {version} to stay active");
    }

    [Then(@"^the retry upgraded (\w+) and the chips after it in the order, and sent no image byte to the chips before it$")]
    public void ThenTheRetryUpgradedOnlyTheFailedChip(string chip)
    {
        var outcome = upgrade.RequireOutcome();
        Expect.That(outcome.Final.Event == "campaign-complete", $"the retry did not complete: {ModuleControlServer.Describe(outcome.Final)}");
        var order = bench.Wiring.UpgradeOrder.ToList();
        var from = order.IndexOf(bench.Chip(chip).Name);
        var expected = order.Skip(from).Select(n => bench.Chip(n).ModelId).ToList();
        var retry = outcome.Events.Skip(upgrade.RetryStartsAtEvent).ToList();
        var started = retry.Where(e => e.Event == "chip-start").Select(e => e.Chip!.Value).Distinct().ToList();
        var completed = retry.Where(e => e.Event == "chip-complete").Select(e => e.Chip!.Value).ToList();
        string Names(IEnumerable<byte> ids) => string.Join(", ", ids.Select(id => bench.Wiring.ChipByModelId(id)?.Name ?? $"0x{id:X2}"));
        Expect.That(started.SequenceEqual(expected) && completed.SequenceEqual(expected),
            $"the retry started [{Names(started)}] and completed [{Names(completed)}], expected only [{Names(expected)}]: the chips before {chip} were done and keep their images");
        var before = order.Take(from).ToList();
        var resent = before.Where(n => upgrade.Accounting?.BytesSent(bench.Chip(n).ModelId) > 0).ToList();
        Expect.That(resent.Count == 0, $"the retry sent image bytes to {string.Join(", ", resent)}, which had completed before {chip} failed");
    }
}
