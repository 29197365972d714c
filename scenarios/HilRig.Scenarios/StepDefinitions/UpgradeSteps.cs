using HilRig.Core.Servers;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps that run a multi-chip campaign and check how it went.</summary>
[Binding]
public sealed class UpgradeSteps(BenchDriver bench, UpgradeDriver upgrade, ScenarioRun scenario)
{
    [When("the server upgrades every chip to version {string} in the default order")]
    public Task WhenTheServerUpgradesInTheDefaultOrder(string version) =>
        upgrade.RunAsync(version, null, watchModes: false, scenario.RunCancellation);

    [When("the server upgrades every chip to version {string} in the default order while the rig watches every chip's mode")]
    public Task WhenTheServerUpgradesWatchingModes(string version) =>
        upgrade.RunAsync(version, null, watchModes: true, scenario.RunCancellation);

    [When(@"^the server upgrades every chip to version ""([^""]*)"" in the order ([\w, -]+)$")]
    public Task WhenTheServerUpgradesInTheOrder(string version, string order) =>
        upgrade.RunAsync(version, ChipList(order), watchModes: false, scenario.RunCancellation);

    [When(@"^the server upgrades every chip to version ""([^""]*)"" in the order ([\w, -]+) while the rig watches every chip's mode$")]
    public Task WhenTheServerUpgradesInTheOrderWatchingModes(string version, string order) =>
        upgrade.RunAsync(version, ChipList(order), watchModes: true, scenario.RunCancellation);

    [Then("the upgrade completes")]
    public void ThenTheUpgradeCompletes()
    {
        var final = upgrade.RequireOutcome().Final;
        Expect.That(final.Event == "campaign-complete", $"the campaign did not complete: {ModuleControlServer.Describe(final)}");
    }

    [Then(@"^the chips were upgraded in the order ([\w, -]+)$")]
    public void ThenTheChipsWereUpgradedInTheOrder(string order)
    {
        ThenTheUpgradeCompletes();
        var expected = ChipList(order).Select(n => bench.Chip(n).ModelId).ToList();
        var actual = upgrade.RequireOutcome().CompletedOrder;
        Expect.That(expected.SequenceEqual(actual), $"chips completed in the order {Names(actual)}, expected {Names(expected)}");
    }

    [Then("the chips were upgraded in the bench's default order")]
    public void ThenTheChipsWereUpgradedInTheDefaultOrder() => ThenTheChipsWereUpgradedInTheOrder(string.Join(", ", bench.Wiring.UpgradeOrder));

    [Then("every chip runs version {string} with the exact image digest of its bundle")]
    public async Task ThenEveryChipRunsTheNewImage(string version)
    {
        var expected = FirmwareVersion.Parse(version);
        var statuses = await bench.Bench.Probe.QueryAllAsync(scenario.RunCancellation);
        Expect.ForEachChip(statuses, (name, s) =>
        {
            if (s is null) return $"{name} is silent (asleep or off)";
            if (s.ActiveVersion != expected) return $"{name} runs {s.ActiveVersion} (state {s.State}), expected {expected}";
            if (s.Mode != ChipMode.Initial) return $"{name} is in {s.Mode} mode after the campaign, expected Initial";
            var digest = upgrade.Images.TryGetValue(name, out var image) ? image.Header.DigestHex : "(no image sent to this chip)";
            return s.ActiveDigestHex == digest ? null : $"{name} reports body SHA-256 {s.ActiveDigestHex}, the bundle's is {digest}";
        });
    }

    [Then("no image byte was sent twice")]
    public void ThenNoImageByteWasSentTwice()
    {
        var events = upgrade.RequireOutcome().Events;
        var problems = new List<string>();
        foreach (var done in events.Where(e => e.Event == "chip-complete"))
        {
            var start = events.Last(e => e.Event == "chip-start" && e.Chip == done.Chip);
            var needed = (done.SizeBytes ?? 0) - (start.Offset ?? 0);
            if (done.BytesSent != needed)
            {
                problems.Add($"{Names([done.Chip!.Value])}: {done.BytesSent} image bytes sent for {needed} needed ({done.BytesSent - needed} sent again)");
            }
        }
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Then("while each chip was the target, the chips nearer the module passed traffic through and the chips already upgraded slept")]
    public void ThenModesMatchedDuringEachTransfer()
    {
        var outcome = upgrade.RequireOutcome();
        var order = outcome.CompletedOrder.Select(id => bench.Wiring.ChipByModelId(id)!.Name).ToList();
        var problems = new List<string>();
        foreach (var target in order)
        {
            var snapshot = outcome.Snapshots.FirstOrDefault(s => s.Target == target);
            if (snapshot is null)
            {
                problems.Add($"no mid-transfer snapshot was taken while {target} was the target");
                continue;
            }
            var done = order.TakeWhile(n => n != target).ToHashSet();
            foreach (var (chip, status) in snapshot.Statuses)
            {
                var expected = chip == target ? "Upgrade" : done.Contains(chip) ? "silent (Sleep)" : "PassThrough";
                var actual = status is null ? "silent (Sleep)" : status.Mode.ToString();
                if (actual != expected)
                {
                    problems.Add($"while {target} was the target, {chip} was {actual}, expected {expected}");
                }
            }
        }
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Then("the upgrade is refused because {word} is operating")]
    public void ThenTheUpgradeIsRefusedBecauseOperating(string chip)
    {
        var final = upgrade.RequireOutcome().Final;
        Expect.That(final.Event == "prepare-refused" && final.Chip == bench.Chip(chip).ModelId && final.Detail == nameof(PrepareStatus.RefusedOperating),
            $"expected PREPARE refused by {chip} (0x{bench.Chip(chip).ModelId:X2}) because it is operating; the module reported {ModuleControlServer.Describe(final)}");
    }

    [Then(@"^the upgrade order is refused because (\w+) would be asleep on the path to (\w+)$")]
    public void ThenTheOrderIsRefused(string sleeping, string target)
    {
        var final = upgrade.RequireOutcome().Final;
        var sleepingId = $"0x{bench.Chip(sleeping).ModelId:X2}";
        var targetId = $"0x{bench.Chip(target).ModelId:X2}";
        Expect.That(final.Event == "order-refused" && final.Detail is { } d && d.Contains($"chip {sleepingId} would be asleep", StringComparison.Ordinal) && d.Contains($"path to chip {targetId}", StringComparison.Ordinal),
            $"expected the order to be refused because {sleeping} ({sleepingId}) would be asleep on the path to {target} ({targetId}); the module reported {ModuleControlServer.Describe(final)}");
    }

    private static List<string> ChipList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    private string Names(IEnumerable<byte> ids) =>
        string.Join(", ", ids.Select(id => bench.Wiring.ChipByModelId(id)?.Name ?? $"0x{id:X2}"));
}
