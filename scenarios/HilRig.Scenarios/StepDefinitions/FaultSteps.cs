using HilRig.Core.Faults;
using HilRig.Core.Servers;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps that arm faults before the action under test and check how the device came through them.</summary>
[Binding]
public sealed class FaultSteps(BenchDriver bench, FaultDriver faults, UpgradeDriver upgrade, RigSettings settings, ScenarioRun scenario)
{
    [Given(@"^(the whole device|the module|chip\w*) will lose power for (\d+) ms (at every (\d+)% of (\w+)'s transfer)$")]
    public void GivenPowerCutsAtEveryStep(string who, int ms, string phrase, int step, string chip)
    {
        _ = phrase;
        for (var percent = step; percent < 100; percent += step)
        {
            faults.Arm(new AtTransferPoint(bench.Chip(chip).Name, null, percent), faults.PowerCut(who, TimeSpan.FromMilliseconds(ms)));
        }
    }

    [Given(@"^(the whole device|the module|chip\w*) will lose power for (\d+) ms ((?:at|when|after) (?!every).+)$")]
    public void GivenAPowerCut(string who, int ms, string when) =>
        faults.Arm(faults.Trigger(when), faults.PowerCut(who, TimeSpan.FromMilliseconds(ms)));

    [Given(@"^the link above (\w+) will break (both ways|downstream only|upstream only) for (\d+) ms ((?:at|when|after) .+)$")]
    public void GivenALinkBreak(string chip, string ways, int ms, string when) =>
        faults.Arm(faults.Trigger(when), new BreakLink(bench.Chip(chip).Name,
            ways == "both ways" ? null : FaultDriver.DirectionOf(ways), TimeSpan.FromMilliseconds(ms)));

    [Given(@"^the link above (\w+) will break for good ((?:at|when|after) .+)$")]
    public void GivenALinkBreakForGood(string chip, string when) =>
        faults.Arm(faults.Trigger(when), new BreakLink(bench.Chip(chip).Name, null, null));

    [Given(@"^(\d+) ([A-Z_]+) frames? going (down|up) the link above (\w+) will be dropped ((?:at|when|after) .+)$")]
    public void GivenDroppedFrames(int count, string type, string direction, string chip, string when) =>
        faults.Arm(faults.Trigger(when), new DropFrames(bench.Chip(chip).Name, FaultDriver.DirectionOf(direction), count, TriggerPhrases.MessageTypeOf(type)));

    [Given(@"^the next ([A-Z_]+) frame going (down|up) the link above (\w+) will have bit (\d) of byte (\d+) flipped ((?:at|when|after) .+)$")]
    public void GivenACorruptedFrame(string type, string direction, string chip, int bit, int index, string when) =>
        faults.Arm(faults.Trigger(when), new CorruptFrame(bench.Chip(chip).Name, FaultDriver.DirectionOf(direction), index, bit, TriggerPhrases.MessageTypeOf(type)));

    [Given(@"^frames going (down|up) the link above (\w+) will be delayed by (\d+) ms for (\d+) ms ((?:at|when|after) .+)$")]
    public void GivenDelayedFrames(string direction, string chip, int delayMs, int forMs, string when) =>
        faults.Arm(faults.Trigger(when), new DelayFrames(bench.Chip(chip).Name, FaultDriver.DirectionOf(direction),
            TimeSpan.FromMilliseconds(delayMs), TimeSpan.FromMilliseconds(forMs)));

    [Given(@"^(\d+) bytes of garbage will be put on the link above (\w+) going (down|up) ((?:at|when|after) .+)$")]
    public void GivenGarbage(int count, string chip, string direction, string when) =>
        faults.Arm(faults.Trigger(when), new InjectGarbage(bench.Chip(chip).Name, FaultDriver.DirectionOf(direction), count, settings.Seed));

    [When(@"^the server upgrades (\w+) to version ""([^""]*)"" with an image whose body does not match its digest$")]
    public async Task WhenTheServerSendsABadImage(string chip, string version)
    {
        var modelId = bench.Chip(chip).ModelId;
        var good = new FirmwareCatalog(settings.FirmwareDirectory).Find(modelId, Protocol.Messages.FirmwareVersion.Parse(version));
        var bytes = await File.ReadAllBytesAsync(good.Path, scenario.RunCancellation);
        bytes[ImageHeader.SizeBytes + bytes.Length / 2 - ImageHeader.SizeBytes / 2] ^= 0x5A;
        var path = Path.Combine(bench.ArtifactsDirectory, $"bad-digest-{modelId:x2}.hrim");
        await File.WriteAllBytesAsync(path, bytes, scenario.RunCancellation);
        await upgrade.RunWithImagesAsync([bench.Chip(chip).Name], new Dictionary<string, CatalogImage> { [bench.Chip(chip).Name] = good with { Path = path } },
            watchModes: false, scenario.RunCancellation);
    }

    [Then("every chip resumes from its persisted mode")]
    public async Task ThenEveryChipResumesFromItsPersistedMode()
    {
        var outcomes = await faults.OutcomesAsync();
        var checks = outcomes.Where(o => o.Check is not null).Select(o => o.Check!).ToList();
        var problems = outcomes.Where(o => o.Error is not null).Select(o => $"fault '{o.Fault.Description}' could not be carried out: {o.Error}").ToList();
        problems.AddRange(outcomes.Where(o => !o.Fired && o.Fault.Action is PowerCut).Select(o => $"the power cut '{o.Fault.Description}' never fired"));
        problems.AddRange(checks.Where(c => !c.Passed).Select(c => c.Describe()));
        Expect.That(checks.Count > 0 || problems.Count > 0, "no power cut happened, so there was nothing to resume from");
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
        scenario.Attach("recovery-checks.txt", "text/plain", string.Join(Environment.NewLine, checks.SelectMany(c =>
            c.Chips.Select(x => $"{c.AtMs / 1000:0.000}s after '{c.Fault}': {x.Chip} expected {x.Expected}, observed {x.Observed}: {(x.Recovered ? "recovered" : "NOT recovered")}"))));
    }

    [Then("every fault fired")]
    public async Task ThenEveryFaultFired()
    {
        var outcomes = await faults.OutcomesAsync();
        var missed = outcomes.Where(o => !o.Fired).Select(o => o.Fault.Description).ToList();
        Expect.That(outcomes.Count > 0 && missed.Count == 0, missed.Count == 0 ? "no fault was armed" : $"fault(s) never fired: {string.Join("; ", missed)}");
    }

    [Then("at most one window of image bytes was sent again per power cut")]
    public async Task ThenAtMostOneWindowWasResentPerCut()
    {
        var outcomes = await faults.OutcomesAsync();
        var cuts = outcomes.Count(o => o.Fired && o.Fault.Action is PowerCut);
        var accounting = upgrade.Accounting ?? throw new InvalidOperationException("no upgrade ran in this scenario");
        var problems = new List<string>();
        foreach (var (name, image) in upgrade.Images)
        {
            var sent = accounting.BytesSent(bench.Chip(name).ModelId);
            var again = accounting.BytesSentAgain(bench.Chip(name).ModelId);
            var allowed = (long)cuts * CampaignRequest.DefaultWindowBytes;
            scenario.Attach($"resent-{name}.txt", "text/plain",
                $"{name}: {sent} bytes sent for a {image.Header.ImageSizeBytes}-byte image: {again} image bytes sent more than once (each counted once) after {cuts} power cut(s)");
            if (again > allowed)
            {
                problems.Add($"{name}: {again} bytes sent again after {cuts} power cut(s), more than {allowed} ({cuts} window(s) of {CampaignRequest.DefaultWindowBytes})");
            }
        }
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Then(@"^the upgrade fails and the report names the link above (\w+)$")]
    public void ThenTheUpgradeFailsNamingTheLink(string chip)
    {
        var outcome = upgrade.RequireOutcome();
        var link = bench.Bench.RelaysByChip[bench.Chip(chip).Name].Name;
        Expect.That(outcome.Final.Event == "campaign-failed",
            $"expected the campaign to fail; the module reported {ModuleControlServer.Describe(outcome.Final)}");
        Expect.That(outcome.Diagnosis.Contains($"link {link}", StringComparison.Ordinal),
            $"the failure does not name link {link}: {ModuleControlServer.Describe(outcome.Final)}; diagnosis: {outcome.Diagnosis}");
        scenario.Attach("failure.txt", "text/plain", $"{ModuleControlServer.Describe(outcome.Final)}{Environment.NewLine}{outcome.Diagnosis}");
    }

    [Then(@"^(\w+) rejects its image because the digest does not match, and stays on version ""([^""]*)""$")]
    public async Task ThenTheChipRejectsTheImage(string chip, string version)
    {
        var final = upgrade.RequireOutcome().Final;
        var modelId = bench.Chip(chip).ModelId;
        Expect.That(final.Event == "campaign-failed" && final.Chip == modelId && (final.Detail?.Contains("DigestMismatch", StringComparison.Ordinal) ?? false),
            $"expected {chip} to reject its image with DigestMismatch; the module reported {ModuleControlServer.Describe(final)}");
        var status = await bench.Bench.Probe.QueryStatusAsync(bench.Chip(chip).Name, scenario.RunCancellation);
        Expect.That(status is not null && status.ActiveVersion == Protocol.Messages.FirmwareVersion.Parse(version) && status.Mode == Protocol.Messages.ChipMode.Initial,
            $"{chip} should be back in Initial mode on {version}; STATUS says {(status is null ? "nothing (silent)" : $"{status.Mode} on {status.ActiveVersion}, state {status.State}")}");
    }
}
