using HilRig.Core.Servers;
using HilRig.Core.Links;
using HilRig.Gherkin;
using HilRig.Protocol.Framing;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Steps about the START answers of every chip reaching the module before it sends image data (docs/protocol.md §7.2,
/// protocol 1.1), checked from the module's reports and from the frames on the link below it.
/// </summary>
[Binding]
public sealed class StartAnswerSteps(BenchDriver bench, UpgradeDriver upgrade, ModuleLinkRecorder recorder, ConformanceDriver chip, ScenarioRun scenario)
{
    [Then(@"^(\w+) answers one START_ACK upstream within (\d+) ms, its own answer first and then one from every chip below it$")]
    public async Task ThenItAnswersOneAggregatedStartAck(string target, int ms)
    {
        var me = bench.Chip(target).ModelId;
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), until: null, scenario.RunCancellation);
        var acks = outputs.Select(o => o.Item is DecodedFrame { Frame: { Type: MessageType.StartAck } f } && f.Source == me
            ? Protocol.Messages.StartAckPayload.TryDecode(f.Payload, out _) : null).OfType<Protocol.Messages.StartAckPayload>().ToList();
        Expect.That(acks.Count == 1, $"{target} answered {acks.Count} START_ACK(s) upstream within {ms} ms; docs/protocol.md §7.2: one answer, once every "
            + $"chip below it answered; it put {ConformanceSteps.Describe(outputs)} there");
        var ack = acks[0];
        var below = Descendants(target).Select(c => bench.Chip(c).ModelId).Order().ToList();
        var carried = ack.Below.Select(a => a.Chip).Order().ToList();
        Expect.That(ack.Chip == me && carried.SequenceEqual(below) && ack.Collection == Protocol.Messages.StartStatus.Ok,
            $"{target}'s START_ACK carries the answers of [{Names(ack.Answers.Select(a => a.Chip))}] (collection {ack.Collection}), expected its own first and then one from "
            + $"every chip below it: [{Names(below.Prepend(me))}] (docs/protocol.md §5.4, §7.2: START answers are collected hop by hop)");
    }

    [Given("the rig records the frames between the module and the first chip")]
    public void GivenTheRigRecordsTheModuleLinkAlias() => recorder.Start();

    [Then("before each chip's image data the module had a START answer from every chip, the deepest chip's first")]
    public void ThenEveryStartAnswerCameBeforeData()
    {
        var outcome = upgrade.RequireOutcome();
        var problems = new List<string>();
        if (outcome.Final.Event != "campaign-complete")
        {
            // Checked first, so a campaign that never got every answer fails here and not vacuously below.
            problems.Add($"the campaign did not complete: {ModuleControlServer.Describe(outcome.Final)}");
            problems.AddRange(outcome.Events.Where(e => e.Event == "start-answers-missing").Select(e => $"the module reported {ModuleControlServer.Describe(e)}"));
        }
        var frames = recorder.Frames;
        var everyChip = bench.Wiring.Chips.Select(c => c.ModelId).ToHashSet();
        foreach (var target in frames.Where(f => f.Type == MessageType.Data).Select(f => f.Target).Distinct())
        {
            var firstData = frames.ToList().FindIndex(f => f.Type == MessageType.Data && f.Target == target);
            var lastStart = frames.Take(firstData).ToList().FindLastIndex(f => f.Type == MessageType.Start && f.Target == target);
            var complete = frames.Skip(lastStart + 1).Take(firstData - lastStart - 1).Any(f => f.Type == MessageType.StartAck
                && f.Collection == Protocol.Messages.StartStatus.Ok && everyChip.SetEquals(f.Answers.Select(a => a.Chip)));
            if (lastStart < 0 || !complete)
            {
                var answers = frames.Skip(lastStart + 1).Take(firstData - lastStart - 1).Where(f => f.Type == MessageType.StartAck)
                    .Select(f => $"[{Names(f.Answers.Select(a => a.Chip))}]{(f.Collection == Protocol.Messages.StartStatus.Ok ? "" : $" {f.Collection}")}").ToList();
                problems.Add($"the module sent image data to {Name(target)} after START answers {(answers.Count == 0 ? "(none)" : string.Join(", ", answers))}, not one from every chip");
            }
        }
        foreach (var start in upgrade.RequireOutcome().Events.Where(e => e.Event == "chip-start"))
        {
            var answered = (start.Chips ?? []).Select(c => Convert.ToByte(c[2..4], 16)).ToList();
            var missing = everyChip.Where(c => !answered.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"while {Name(start.Chip!.Value)} was the target the module started without the START answer of {Names(missing)}");
            }
            foreach (var (chip, index) in answered.Select((c, i) => (c, i)))
            {
                var below = Descendants(Name(chip)).Select(n => bench.Chip(n).ModelId);
                foreach (var later in below.Where(b => answered.IndexOf(b) > index))
                {
                    problems.Add($"while {Name(start.Chip!.Value)} was the target, {Name(chip)}'s answer came before that of {Name(later)}, which is below it");
                }
            }
        }
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Then("each START answer gave the mode of the design: the target Upgrade, the chips already upgraded Sleep, the others PassThrough")]
    public void ThenEachStartAnswerGaveItsMode()
    {
        var events = upgrade.RequireOutcome().Events;
        var done = new HashSet<byte>();
        var problems = new List<string>();
        foreach (var e in events.Where(e => e.Event is "chip-start" or "chip-complete"))
        {
            if (e.Event == "chip-complete")
            {
                done.Add(e.Chip!.Value);
                continue;
            }
            foreach (var answer in e.Chips ?? [])
            {
                var parts = answer.Split(':');
                var chip = Convert.ToByte(parts[0][2..], 16);
                var expected = chip == e.Chip ? "Upgrade" : done.Contains(chip) ? "Sleep" : "PassThrough";
                if (parts[1] != expected)
                {
                    problems.Add($"while {Name(e.Chip!.Value)} was the target, {Name(chip)} answered START in {parts[1]} mode, expected {expected}");
                }
            }
        }
        Expect.That(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Then(@"^the module reported that (\w+)'s START answer was missing while (\w+) was the target$")]
    public void ThenTheModuleReportedAMissingAnswer(string missing, string target)
    {
        var targetId = bench.Chip(target).ModelId;
        var missingId = $"0x{bench.Chip(missing).ModelId:X2}";
        var reports = upgrade.RequireOutcome().Events.Where(e => e.Event == "start-answers-missing").ToList();
        Expect.That(reports.Any(e => e.Chip == targetId && (e.Detail?.Contains(missingId, StringComparison.Ordinal) ?? false)),
            $"expected a start-answers-missing report naming {missing} ({missingId}) while {target} was the target; the module reported "
            + (reports.Count == 0 ? "none" : string.Join("; ", reports.Select(ModuleControlServer.Describe))));
    }

    [Then(@"^no image data was sent to (\w+)$")]
    public void ThenNoImageDataWasSentTo(string chip)
    {
        var id = bench.Chip(chip).ModelId;
        var data = recorder.Frames.Count(f => f.Type == MessageType.Data && f.Target == id);
        Expect.That(data == 0, $"the module sent {data} DATA frame(s) to {chip} although a START answer was missing");
    }

    [Then(@"^the upgrade fails for (\w+), naming (\w+) whose START answer is missing$")]
    public void ThenTheUpgradeFailsNaming(string target, string missing)
    {
        var final = upgrade.RequireOutcome().Final;
        var missingId = $"0x{bench.Chip(missing).ModelId:X2}";
        Expect.That(final.Event == "campaign-failed" && final.Chip == bench.Chip(target).ModelId && (final.Detail?.Contains(missingId, StringComparison.Ordinal) ?? false),
            $"expected the campaign to fail for {target} naming {missing} ({missingId}); the module reported {ModuleControlServer.Describe(final)}");
    }

    private List<string> Descendants(string chip) =>
        bench.Wiring.Children(chip).SelectMany(c => Descendants(c).Prepend(c)).ToList();

    private string Name(byte id) => bench.Wiring.ChipByModelId(id)?.Name ?? $"0x{id:X2}";

    private string Names(IEnumerable<byte> ids) => string.Join(", ", ids.Select(Name));
}
