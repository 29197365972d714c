using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Gherkin;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Conformance steps of an upgrade's course, read as docs/protocol.md §6 and §7: PREPARE and its aggregation, what a
/// target's STATUS says at each step, COMPLETE out of a target and through a chip, and the mode a chip comes back in
/// after a cut (the rig plays the module, and watches every port of the chip).
/// </summary>
[Binding]
public sealed class ConformanceUpgradeSteps(BenchDriver bench, ConformanceDriver chip, ScenarioRun scenario)
{
    private const uint RigCampaign = ConformanceDriver.RigCampaign;

    [When(@"^the rig sends (\w+) a PREPARE with a budget of (\d+) ms from upstream$")]
    public void WhenTheRigSendsAPrepare(string target, ushort budgetMs)
    {
        chip.CampaignId = RigCampaign;
        chip.Send(bench.Chip(target).Name, new Frame(MessageType.Prepare, Address.Broadcast, Address.Rig, 0x46, new PreparePayload(RigCampaign, budgetMs).Encode()).Encode(), fromUpstream: true);
    }

    [Then(@"^(\w+) answers one PREPARE_ACK (\w+) upstream within (\d+) ms, (listing itself and every chip below it|reported by (\w+))$")]
    public async Task ThenItAnswersOnePrepareAck(string target, PrepareStatus status, int ms, string what, string? reporter)
    {
        var me = bench.Chip(target).ModelId;
        static PrepareAckPayload? Ack(PortOutput o, byte me) => o.Item is DecodedFrame { Frame: { Type: MessageType.PrepareAck } f } && f.Source == me
            ? PrepareAckPayload.TryDecode(f.Payload, out _) : null;
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), until: null, scenario.RunCancellation);
        var acks = outputs.Select(o => Ack(o, me)).OfType<PrepareAckPayload>().ToList();
        Expect.That(acks.Count == 1, $"{target} answered {acks.Count} PREPARE_ACK(s) upstream within the PREPARE's budget of {ms} ms; docs/protocol.md §7.1: one answer, "
            + $"for itself and every chip below it, within the budget; it put {ConformanceSteps.Describe(outputs)} there");
        var ack = acks[0];
        Expect.That(ack.Status == status && ack.CampaignId == RigCampaign,
            $"{target}'s PREPARE_ACK says {ack.Status} for campaign {ack.CampaignId} (reported by 0x{ack.ReportingChip:X2}), expected {status} for campaign {RigCampaign} (docs/protocol.md §7.1)");
        if (!string.IsNullOrEmpty(reporter))
        {
            var expected = bench.Chip(reporter!).ModelId;
            Expect.That(ack.ReportingChip == expected, $"{target}'s PREPARE_ACK {ack.Status} names 0x{ack.ReportingChip:X2} as the chip that refused, expected {reporter} (0x{expected:X2}): "
                + "docs/protocol.md §7.1: the first refusal from below is passed up with the chip that made it");
            return;
        }
        var below = Descendants(target).Select(c => bench.Chip(c).ModelId);
        var listed = ack.Chips.Select(c => c.ModelId).Order().ToList();
        var expectedIds = below.Append(me).Order().ToList();
        Expect.That(listed.SequenceEqual(expectedIds), $"{target}'s PREPARE_ACK lists {Ids(listed)}, expected itself and every chip below it: {Ids(expectedIds)} (docs/protocol.md §7.1: aggregation)");
    }

    [Then(@"^(\w+) answers STATUS in (\w+) mode, (still running the image it had before|running the new image from the other slot)$")]
    public async Task ThenItsStatusDescribesTheImage(string target, ChipMode mode, string which)
    {
        var name = bench.Chip(target).Name;
        var before = chip.StatusBefore ?? throw new ExpectationException($"{name} did not answer STATUS before the rig's START, so there is nothing to compare with");
        var image = chip.Image ?? throw new InvalidOperationException("no START made the chip a target in this scenario");
        var now = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        Expect.That(now is not null, $"{name} is silent, expected an answer in {mode} mode");
        var (version, slot, digest) = which.StartsWith("still", StringComparison.Ordinal)
            ? (before.ActiveVersion, before.ActiveSlot, before.ActiveDigest)
            : (image.Header.Version, (byte)(1 - before.ActiveSlot), image.Header.BodySha256);
        Expect.That(now!.Mode == mode && now.ActiveVersion == version && now.ActiveSlot == slot && now.ActiveDigest.AsSpan().SequenceEqual(digest),
            $"{name}'s STATUS says mode {now.Mode}, version {now.ActiveVersion}, slot {now.ActiveSlot}, body SHA-256 {now.ActiveDigestHex}; expected mode {mode}, version {version}, slot {slot}, "
            + $"body SHA-256 {Convert.ToHexStringLower(digest)}: STATUS describes the image that would boot now (docs/protocol.md §7.6, §10.3)");
    }

    [Then(@"^(\w+) sends COMPLETE (\w+) upstream and on every downstream port within (\d+) ms$")]
    public async Task ThenItSendsComplete(string target, CompleteStatus status, int ms)
    {
        var me = bench.Chip(target).ModelId;
        var ports = bench.Wiring.Children(target).Count;
        bool IsComplete(PortOutput o) => o.Item is DecodedFrame { Frame: { Type: MessageType.Complete } f } && f.Source == me
            && CompletePayload.TryDecode(f.Payload, out _) is { } c && c.Chip == me && c.Status == status;
        var up = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), seen => seen.Any(IsComplete), scenario.RunCancellation);
        var down = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromMilliseconds(ms), seen => seen.Count(IsComplete) >= ports, scenario.RunCancellation);
        Expect.That(up.Any(IsComplete), $"{target} sent no COMPLETE {status} upstream within {ms} ms (docs/protocol.md §7.4, §6.5); it put {ConformanceSteps.Describe(up)} there");
        Expect.That(down.Count(IsComplete) == ports, $"{target} sent {down.Count(IsComplete)} COMPLETE {status} downstream within {ms} ms, expected one on each of its {ports} downstream port(s) "
            + $"(docs/protocol.md §6.5: a chip that sends COMPLETE sends it on every port); it put {ConformanceSteps.Describe(down)} there");
    }

    [When(@"^the rig upgrades (\w+) to a new image from upstream$")]
    public async Task WhenTheRigUpgradesTheChip(string target)
    {
        var wired = bench.Chip(target);
        await chip.StartTargetAsync(wired.Name, damaged: false, scenario.RunCancellation);
        var started = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromSeconds(2), seen => seen.Any(o => Is(o, MessageType.StartAck, wired.ModelId)), scenario.RunCancellation);
        Expect.That(started.Any(o => Is(o, MessageType.StartAck, wired.ModelId)), $"{target} did not answer the rig's START within 2 s; it put {ConformanceSteps.Describe(started)} upstream");
        chip.SendImageData(wired.Name, chip.ImageBytes!.Length, 512);
        var done = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromSeconds(8), seen => seen.Any(o => Is(o, MessageType.Complete, wired.ModelId)), scenario.RunCancellation);
        Expect.That(done.Any(o => Is(o, MessageType.Complete, wired.ModelId)), $"{target} sent no COMPLETE within 8 s of the last of its image; it put {ConformanceSteps.Describe(done)} upstream");
        // The activation is over once its COMPLETE went down every port too (a few ms after the one upstream): a later
        // step that counts COMPLETEs must not see these (seen under load on sim-tree: 4 counted where 2 were sent).
        var ports = bench.Wiring.Children(target).Count;
        if (ports > 0)
        {
            int Completes(IEnumerable<PortOutput> seen) => seen.Count(o => Is(o, MessageType.Complete, wired.ModelId));
            var down = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromSeconds(8), seen => Completes(seen) >= ports, scenario.RunCancellation);
            Expect.That(Completes(down) >= ports,
                $"{target} sent its activation's COMPLETE on {Completes(down)} of its {ports} downstream port(s) within 8 s of the last of its image (docs/protocol.md §6.5); it put {ConformanceSteps.Describe(down)} there");
        }
    }

    [When(@"^the rig sends (\w+) the same START again from upstream$")]
    public void WhenTheRigSendsTheSameStartAgain(string target) =>
        chip.Send(bench.Chip(target).Name, chip.LastStart ?? throw new InvalidOperationException("the rig sent no START in this scenario"), fromUpstream: true);

    [When(@"^the rig sends (\w+) a COMPLETE of (\w+) from (upstream|downstream)$")]
    public void WhenTheRigSendsAComplete(string target, string of, string side)
    {
        var source = bench.Chip(of).ModelId;
        var payload = new CompletePayload(RigCampaign, source, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode();
        chip.Send(bench.Chip(target).Name, new Frame(MessageType.Complete, Address.Broadcast, source, 0x47, payload).Encode(), fromUpstream: side == "upstream");
    }

    [Then(@"^(\w+) passes it on to every other downstream port, and not back the way it came, within (\d+) ms$")]
    public async Task ThenItPassesItOnToEveryOtherPort(string target, int ms)
    {
        var came = chip.FirstChildBelow(target);
        var others = bench.Wiring.Children(target).Where(c => c != came && bench.Bench.RelaysByChip.ContainsKey(c)).ToList();
        bool Copy(PortOutput o) => o.Item.Raw.AsSpan().SequenceEqual(chip.Sent);
        var outputs = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromMilliseconds(ms), until: null, scenario.RunCancellation);
        var back = outputs.Where(o => o.Port == came).ToList();
        Expect.That(back.Count == 0, $"{target} sent {ConformanceSteps.Describe(back)} back down the port the COMPLETE came in on ({came}) within {ms} ms; docs/protocol.md §6.5: every port except the one it arrived on");
        var missing = others.Where(c => outputs.Count(o => o.Port == c && Copy(o)) != 1).ToList();
        Expect.That(missing.Count == 0, $"{target} did not pass the COMPLETE on, byte for byte and once, to {string.Join(", ", missing)} within {ms} ms; docs/protocol.md §6.5: every port except the one it arrived on; "
            + $"it put {ConformanceSteps.Describe(outputs)} downstream");
    }

    [When(@"^the rig sends (\w+) a START for (\w+) whose payload is cut short from upstream$")]
    public async Task WhenTheRigSendsAShortStart(string target, string forChip)
    {
        var name = bench.Chip(target).Name;
        chip.StatusBefore = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        var whole = new StartPayload(RigCampaign, bench.Chip(forChip).ModelId, SampleImages.Build(bench.Chip(forChip).ModelId, new FirmwareVersion(1, 1, 0), 4096).Header.Encode()).Encode();
        // A valid frame (CRC and all) whose START payload stops inside the image header: it does not decode (§5).
        chip.Send(name, new Frame(MessageType.Start, Address.Broadcast, Address.Rig, 0x48, whole[..20]).Encode(), fromUpstream: true);
    }

    [When(@"^the rig sends (\w+) (\d+) DATA frames for (\w+) from upstream$")]
    public void WhenTheRigSendsDataFrames(string target, int count, string forChip)
    {
        var destination = bench.Chip(forChip).ModelId;
        var frames = Enumerable.Range(0, count)
            .Select(i => new Frame(MessageType.Data, destination, Address.Rig, (byte)(0x50 + i), new DataPayload((uint)(i * 4), [(byte)i, 0x22, 0x33, 0x44]).Encode()).Encode())
            .ToList();
        chip.SendFrames(bench.Chip(target).Name, frames, fromUpstream: true);
    }

    [Then(@"^(\w+) forwards every one of them downstream byte for byte within (\d+) ms$")]
    public async Task ThenItForwardsEveryFrame(string target, int ms)
    {
        var ports = bench.Wiring.Children(target).Count;
        var sent = chip.SentFrames;
        int[] Copies(IReadOnlyList<PortOutput> seen) => sent.Select(f => seen.Count(o => o.Item.Raw.AsSpan().SequenceEqual(f))).ToArray();
        var outputs = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromMilliseconds(ms), seen => Copies(seen).All(c => c >= ports), scenario.RunCancellation);
        var copies = Copies(outputs);
        var missing = copies.Select((c, i) => (c, i)).Where(x => x.c != ports).Select(x => $"frame {x.i + 1}: {x.c} cop{(x.c == 1 ? "y" : "ies")}").ToList();
        Expect.That(missing.Count == 0, $"{target} did not forward each of the {sent.Count} frames once on each of its {ports} downstream port(s) within {ms} ms ({string.Join(", ", missing)}); "
            + "docs/protocol.md §6.1: INITIAL and PASS_THROUGH forward every frame for others, unchanged");
    }

    [When(@"^(\w+) loses power and comes back$")]
    public Task WhenTheChipLosesPower(string target) => chip.PowerCycleAsync(bench.Chip(target).Name, scenario.RunCancellation);

    [Given(@"^(\w+) will lose power inside its (\d+)(?:st|nd|rd|th) flash operation from now$")]
    [When(@"^(\w+) will lose power inside its (\d+)(?:st|nd|rd|th) flash operation from now$")]
    public Task GivenAFlashCut(string target, int operation)
    {
        _operation = operation;
        return chip.ArmFlashCutAsync(bench.Chip(target).Name, operation, scenario.RunCancellation);
    }

    private int _operation;

    [Then(@"^(\w+) loses power inside that flash operation and comes back (in the mode of any START_ACK it sent|in (\w+) or (\w+) mode of that campaign)$")]
    public async Task ThenItComesBackAfterTheCut(string target, string how, string? first, string? second)
    {
        var name = bench.Chip(target).Name;
        var me = bench.Chip(target).ModelId;
        var cut = await chip.ComeBackAfterFlashCutAsync(name, TimeSpan.FromSeconds(5), scenario.RunCancellation);
        Expect.That(cut, $"{name} did not cut its power inside flash operation {_operation} within 5 s of the rig's START (a chip started with --cut-at-flash-op N --seed S "
            + "ends with exit code 86 inside operation N: docs/protocol.md §10.5)");
        var acks = chip.Outputs.Where(o => o.Direction == Direction.Upstream)
            .Select(o => o.Item is DecodedFrame { Frame: { Type: MessageType.StartAck } f } && f.Source == me ? StartAckPayload.TryDecode(f.Payload, out _) : null)
            .OfType<StartAckPayload>().ToList();
        var status = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        Expect.That(status is not null, $"{name} is silent after the cut inside flash operation {_operation}; it must come back in the mode of its last complete mark (docs/protocol.md §9.3, §10.4)");
        if (how.StartsWith("in the mode", StringComparison.Ordinal))
        {
            foreach (var ack in acks)
            {
                Expect.That(status!.Mode == ack.Mode, $"{name} answered START_ACK in {ack.Mode} mode before the power failed inside flash operation {_operation}, but came back in {status.Mode} mode: "
                    + "docs/protocol.md §6.2, §9.2: the mark write completes before the START_ACK is sent, so what a START_ACK announces survives a cut");
            }
            return;
        }
        var modes = new[] { Enum.Parse<ChipMode>(first!), Enum.Parse<ChipMode>(second!) };
        Expect.That(modes.Contains(status!.Mode) && status.CampaignId == chip.CampaignId,
            $"{name} came back in {status.Mode} mode of campaign {status.CampaignId} after the power failed inside flash operation {_operation} (a mark write), expected {first} or {second} mode of campaign {chip.CampaignId}: "
            + "docs/protocol.md §9.2, §10.4: a mark write goes to the other record, so a cut inside it leaves the record written before it (or the new one, complete)");
    }

    [Given(@"^(\w+) is in (\w+) mode$")]
    public async Task GivenTheChipIsInMode(string target, ChipMode mode)
    {
        var wired = bench.Chip(target);
        var child = chip.FirstChildBelow(wired.Name);
        switch (mode)
        {
            case ChipMode.Initial:
                break;
            case ChipMode.PassThrough:
                SendStart(wired.Name, child);
                await ExpectStartAckAsync(wired.Name, ChipMode.PassThrough);
                break;
            case ChipMode.Upgrade:
                SendStart(wired.Name, wired.Name);
                await ExpectStartAckAsync(wired.Name, ChipMode.Upgrade);
                break;
            case ChipMode.Sleep:
                await WhenTheRigUpgradesTheChip(wired.Name);
                SendStart(wired.Name, child);
                await ExpectStartAckAsync(wired.Name, ChipMode.Sleep);
                break;
        }
        // The chips behind it answer the START too: let their answers pass before the rig's next frame.
        await chip.SettleAsync(TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3), scenario.RunCancellation);
        if (mode != ChipMode.Sleep) await ThenTheChipIsInMode(wired.Name, mode);
    }

    private void SendStart(string target, string forChip)
    {
        var model = bench.Chip(forChip).ModelId;
        chip.CampaignId = RigCampaign;
        chip.Send(target, ConformanceDriver.StartFrame(RigCampaign, model, 0x49), fromUpstream: true);
    }

    private async Task ExpectStartAckAsync(string target, ChipMode mode)
    {
        var me = bench.Chip(target).ModelId;
        bool Matches(PortOutput o) => o.Item is DecodedFrame { Frame: { Type: MessageType.StartAck } f } && f.Source == me
            && StartAckPayload.TryDecode(f.Payload, out _) is { Mode: var m, Status: StartStatus.Ok } && m == mode;
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromSeconds(2), seen => seen.Any(Matches), scenario.RunCancellation);
        Expect.That(outputs.Any(Matches), $"{target} did not enter {mode} mode on the rig's START (no START_ACK OK in {mode} within 2 s); it put {ConformanceSteps.Describe(outputs)} upstream");
    }

    [When(@"^the rig sends (\w+) a (.+) for it from upstream$")]
    public void WhenTheRigSendsAFrameForIt(string target, string what)
    {
        var wired = bench.Chip(target);
        var me = wired.ModelId;
        var (type, payload) = what switch
        {
            "DATA" => (MessageType.Data, new DataPayload(0, [0x11, 0x22, 0x33, 0x44]).Encode()),
            "STATUS_REQ" => (MessageType.StatusRequest, []),
            "BENCH_SET_OPERATING" => (MessageType.BenchSetOperating, new BenchSetOperatingPayload(false).Encode()),
            "PREPARE of the same campaign" => (MessageType.Prepare, new PreparePayload(RigCampaign, 1000).Encode()),
            "PREPARE of another campaign" => (MessageType.Prepare, new PreparePayload(RigCampaign + 1, 1000).Encode()),
            "START of another campaign" => (MessageType.Start, new StartPayload(RigCampaign + 1, me, SampleImages.Build(me, new FirmwareVersion(1, 2, 0), 4096).Header.Encode()).Encode()),
            "START_ACK" => (MessageType.StartAck, new StartAckPayload(RigCampaign, me, ChipMode.Upgrade, 0, StartStatus.Ok).Encode()),
            "DATA_ACK" => (MessageType.DataAck, new DataAckPayload(0, 0, DataStatus.Ok).Encode()),
            "STATUS_RSP" => (MessageType.StatusResponse, new StatusPayload(ChipMode.Initial, 0, new FirmwareVersion(1, 0, 0), UpgradeState.Idle, false, 0, 0, 0, new byte[32]).Encode()),
            "PREPARE_ACK" => (MessageType.PrepareAck, new PrepareAckPayload(RigCampaign, PrepareStatus.Ready, me, [new TopologyEntry(me, 0, ChipMode.Initial, new FirmwareVersion(1, 0, 0))]).Encode()),
            "COMPLETE" => (MessageType.Complete, new CompletePayload(RigCampaign, bench.Chip(chip.FirstChildBelow(wired.Name)).ModelId, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode()),
            "frame of unknown type 0x3C" => ((MessageType)0x3C, new byte[] { 1, 2, 3 }),
            _ => throw new ArgumentException($"no frame called '{what}' (DATA, STATUS_REQ, BENCH_SET_OPERATING, PREPARE of the same/another campaign, START of another campaign, START_ACK, DATA_ACK, STATUS_RSP, PREPARE_ACK, COMPLETE, frame of unknown type 0x3C)"),
        };
        chip.Send(wired.Name, new Frame(type, type == MessageType.Complete ? Address.Broadcast : me, Address.Rig, 0x4A, payload).Encode(), fromUpstream: true);
    }

    [Then(@"^(\w+) answers (nothing|DATA_ACK NotTarget|STATUS_RSP|PREPARE_ACK \w+) upstream within (\d+) ms$")]
    public async Task ThenItAnswersUpstream(string target, string answer, int ms)
    {
        var me = bench.Chip(target).ModelId;
        bool Matches(PortOutput o) => o.Item is DecodedFrame { Frame: var f } && f.Source == me && answer switch
        {
            "DATA_ACK NotTarget" => f.Type == MessageType.DataAck && DataAckPayload.TryDecode(f.Payload, out _)?.Status == DataStatus.NotTarget,
            "STATUS_RSP" => f.Type == MessageType.StatusResponse && f.Destination == Address.Rig,
            _ => f.Type == MessageType.PrepareAck && PrepareAckPayload.TryDecode(f.Payload, out _)?.Status.ToString() == answer["PREPARE_ACK ".Length..],
        };
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), answer == "nothing" ? null : seen => seen.Any(Matches), scenario.RunCancellation);
        if (answer == "nothing")
        {
            Expect.That(outputs.Count == 0, $"{target} put {ConformanceSteps.Describe(outputs)} upstream within {ms} ms; docs/protocol.md §6.1 says it answers nothing to that frame in that mode");
            return;
        }
        Expect.That(outputs.Count(Matches) == 1, $"{target} did not answer one {answer} upstream within {ms} ms, as docs/protocol.md §6.1 says; it put {ConformanceSteps.Describe(outputs)} there");
    }

    [Then(@"^(\w+) passes (nothing|the frame|a PREPARE) downstream within (\d+) ms$")]
    public async Task ThenItPassesDownstream(string target, string what, int ms)
    {
        var ports = bench.Wiring.Children(target).Where(bench.Bench.RelaysByChip.ContainsKey).ToList();
        var me = bench.Chip(target).ModelId;
        bool Matches(PortOutput o) => what == "the frame" ? o.Item.Raw.AsSpan().SequenceEqual(chip.Sent)
            : o.Item is DecodedFrame { Frame: { Type: MessageType.Prepare } f } && f.Source == me;
        var outputs = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromMilliseconds(ms),
            what == "nothing" ? null : seen => ports.All(p => seen.Any(o => o.Port == p && Matches(o))), scenario.RunCancellation);
        if (what == "nothing")
        {
            Expect.That(outputs.Count == 0, $"{target} put {ConformanceSteps.Describe(outputs)} downstream within {ms} ms; docs/protocol.md §6.1: a frame for it that it does not pass on");
            return;
        }
        var missing = ports.Where(p => outputs.Count(o => o.Port == p && Matches(o)) != 1).ToList();
        Expect.That(missing.Count == 0, $"{target} did not pass {what} once to {string.Join(", ", missing)} within {ms} ms (docs/protocol.md §6.1, §6.5, §7.1); it put {ConformanceSteps.Describe(outputs)} downstream");
    }

    [Then(@"^(\w+) is in (\w+) mode$")]
    public async Task ThenTheChipIsInMode(string target, ChipMode mode)
    {
        var name = bench.Chip(target).Name;
        if (mode == ChipMode.Sleep)
        {
            // Silence is the evidence of sleep (docs/protocol.md §6.4).
            chip.Send(name, new Frame(MessageType.StatusRequest, bench.Chip(target).ModelId, Address.Rig, 0x4B, []).Encode(), fromUpstream: true);
            var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(300), until: null, scenario.RunCancellation);
            Expect.That(outputs.Count == 0, $"{name} should be asleep, but put {ConformanceSteps.Describe(outputs)} upstream on a STATUS_REQ (docs/protocol.md §6.4)");
            return;
        }
        // One request with the retries' whole deadline, not retries: the late answer of an earlier try would reach the
        // next step, which counts what the chip puts upstream (seen with the QEMU chips under load: two stray STATUS_RSPs).
        var status = await bench.Bench.Probe.QueryStatusAsync(name, scenario.RunCancellation, ChipProbe.StatusTries.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Expect.That(status?.Mode == mode, $"{name} answers STATUS {(status is null ? "with silence" : $"in {status.Mode} mode")}, expected {mode} (docs/protocol.md §6.1)");
    }

    private IEnumerable<string> Descendants(string node) => bench.Wiring.Children(node).SelectMany(c => Descendants(c).Prepend(c));

    private static bool Is(PortOutput o, MessageType type, byte source) => o.Item is DecodedFrame { Frame: var f } && f.Type == type && f.Source == source;

    private static string Ids(IEnumerable<byte> ids) => string.Join(", ", ids.Select(i => string.Create(CultureInfo.InvariantCulture, $"0x{i:X2}")));
}
