using System.Buffers.Binary;
using HilRig.Core.Links;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Steps that read as docs/protocol.md: the rig sends one chip a frame on one of its ports and checks what the chip
/// does on both sides (forwarded, dropped, answered, and what its STATUS says after).
/// </summary>
[Binding]
public sealed class ConformanceSteps(BenchDriver bench, ConformanceDriver chip, UpgradeDriver upgrade, ScenarioRun scenario)
{
    [When(@"^the rig sends (\w+) a (BENCH_SET_OPERATING|STATUS_REQ|DATA) frame for (the rig|\w+)( with a bad CRC| with protocol version 2)? from (upstream|downstream)$")]
    public async Task WhenTheRigSendsAFrame(string target, string type, string destination, string damage, string side)
    {
        var name = bench.Chip(target).Name;
        // What the chip says of itself before (nothing while it sleeps): "still answers STATUS as before" compares with it.
        chip.StatusBefore = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        var address = destination == "the rig" ? Address.Rig : bench.Chip(destination).ModelId;
        var payload = type switch
        {
            "BENCH_SET_OPERATING" => new BenchSetOperatingPayload(true).Encode(),
            "DATA" => new DataPayload(0, [0x11, 0x22, 0x33, 0x44]).Encode(),
            _ => [],
        };
        var bytes = new Frame(TriggerPhrases.MessageTypeOf(type), address, Address.Rig, 0x42, payload).Encode();
        if (damage == " with a bad CRC")
        {
            bytes[^1] ^= 0x01;
        }
        else if (damage == " with protocol version 2")
        {
            bytes[2] = 2;
            var crc = Crc32.Compute(bytes.AsSpan(2, bytes.Length - 2 - Frame.TrailerSizeBytes));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - Frame.TrailerSizeBytes), crc);
        }
        chip.Send(name, bytes, side == "upstream");
    }

    [Then(@"^(\w+) forwards nothing (downstream|upstream) within (\d+) ms$")]
    public Task ThenItForwardsNothing(string target, string side, int ms) => ExpectNothingAsync(target, side, ms,
        "a chip drops a frame it cannot accept (docs/protocol.md §3.3), and a target in UPGRADE forwards nothing (§6.3)");

    [Then(@"^(\w+) sends nothing (upstream|downstream) within (\d+) ms$")]
    public Task ThenItSendsNothing(string target, string side, int ms) => ExpectNothingAsync(target, side, ms,
        "a frame that is not for it, or that it drops, must not make it send anything there (docs/protocol.md §4, §6.1), and a sleeping chip sends nothing at all (§6.4)");

    /// <summary>Nothing on the chip's ports on that side within the time, or a failure naming what came and the <paramref name="rule"/>.</summary>
    private async Task ExpectNothingAsync(string target, string side, int ms, string rule)
    {
        var outputs = await chip.OutputsAsync(DirectionOf(side), TimeSpan.FromMilliseconds(ms), until: null, scenario.RunCancellation);
        Expect.That(outputs.Count == 0, $"{target} put {Describe(outputs)} on its {side} port(s) within {ms} ms; {rule}");
    }

    [Then(@"^(\w+) forwards it (downstream|upstream) byte for byte within (\d+) ms$")]
    public async Task ThenItForwardsByteForByte(string target, string side, int ms)
    {
        var ports = side == "downstream" ? bench.Wiring.Children(target).Count : 1;
        int Copies(IEnumerable<PortOutput> seen) => seen.Count(o => o.Item.Raw.AsSpan().SequenceEqual(chip.Sent));
        var outputs = await chip.OutputsAsync(DirectionOf(side), TimeSpan.FromMilliseconds(ms), seen => Copies(seen) >= ports, scenario.RunCancellation);
        var copies = Copies(outputs);
        Expect.That(copies == ports, $"{target} forwarded {copies} exact cop{(copies == 1 ? "y" : "ies")} {side} within {ms} ms, expected one on each of its {ports} {side} port(s) "
            + $"(docs/protocol.md §4, §6.1); it put {Describe(outputs)} there");
    }

    [Then(@"^(\w+) passes the START on downstream as its own, with (\d+) ms less budget, within (\d+) ms$")]
    public async Task ThenItPassesTheStartOn(string target, int marginMs, int ms)
    {
        // Protocol 1.1 (docs/protocol.md §6.2, §7.2): the chip re-sends the START with itself as source and the budget less its
        // margin, so the answers below come back to it for collection; everything else in the payload is the START it got.
        var me = bench.Chip(target).ModelId;
        var ports = bench.Wiring.Children(target).Count;
        var sent = new FrameDecoder().Feed(chip.Sent).OfType<DecodedFrame>().Single().Frame;
        var original = StartPayload.TryDecode(sent.Payload, out _) ?? throw new InvalidOperationException("the rig's last frame was not a START");
        bool Passed(PortOutput o) => o.Item is DecodedFrame { Frame: { Type: MessageType.Start } f } && f.Source == me && f.Destination == Address.Broadcast
            && StartPayload.TryDecode(f.Payload, out _) is { } p && p.CampaignId == original.CampaignId && p.Target == original.Target
            && p.ImageHeader.AsSpan().SequenceEqual(original.ImageHeader) && p.BudgetMs == original.BudgetMs - marginMs;
        var outputs = await chip.OutputsAsync(Direction.Downstream, TimeSpan.FromMilliseconds(ms), seen => seen.Count(Passed) >= ports, scenario.RunCancellation);
        var count = outputs.Count(Passed);
        Expect.That(count == ports, $"{target} passed the START on {count} time(s) within {ms} ms, expected once on each of its {ports} downstream port(s), "
            + $"from 0x{me:X2} with budget {original.BudgetMs - marginMs} ms (docs/protocol.md §6.2, §7.2); it put {Describe(outputs)} there");
    }

    [Then(@"^(\w+) answers on its (downstream|upstream) port to the rig within (\d+) ms$")]
    public async Task ThenItAnswersTheRig(string target, string side, int ms)
    {
        var outputs = await chip.OutputsAsync(DirectionOf(side), TimeSpan.FromMilliseconds(ms), seen => seen.Count > 0, scenario.RunCancellation);
        var me = bench.Chip(target).ModelId;
        Expect.That(outputs.Any(o => o.Item is DecodedFrame { Frame: { Type: MessageType.StatusResponse } f } && f.Source == me && f.Destination == Address.Rig),
            $"{target} did not answer STATUS_RSP to the rig (0xFE) on its {side} port within {ms} ms, the port the request came in on (docs/protocol.md §4, §7.6); it put {Describe(outputs)} there");
    }

    [Then(@"^(\w+) still answers STATUS as before$")]
    public async Task ThenItsStatusIsUnchanged(string target)
    {
        var name = bench.Chip(target).Name;
        var after = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        Expect.That(after is not null, $"{name} no longer answers STATUS after the test frame");
        var before = chip.StatusBefore ?? throw new ExpectationException($"{name} did not answer STATUS before the test frame, so there is nothing to compare with");
        Expect.That(after!.Mode == before.Mode && after.Operating == before.Operating && after.State == before.State && after.ActiveVersion == before.ActiveVersion
            && after.PersistedOffset == before.PersistedOffset && after.CampaignId == before.CampaignId,
            $"a frame that was not for {name} changed it: before mode {before.Mode}, operating {before.Operating}, state {before.State}, version {before.ActiveVersion}; "
            + $"after mode {after.Mode}, operating {after.Operating}, state {after.State}, version {after.ActiveVersion} (docs/protocol.md §4)");
    }

    [When(@"^the rig makes (\w+) the target of a campaign from upstream( with an image whose body does not match its digest)?$")]
    public Task WhenTheRigMakesTheChipTheTarget(string target, string? damaged) =>
        chip.StartTargetAsync(bench.Chip(target).Name, damaged is { Length: > 0 }, scenario.RunCancellation);

    [When(@"^the rig sends (\w+) (the first (\d+) bytes|the rest) of its image in DATA frames of (\d+) bytes from upstream$")]
    public void WhenTheRigSendsData(string target, string which, string? count, int chunk)
    {
        var length = (chip.ImageBytes ?? throw new InvalidOperationException("no START made the chip a target in this scenario")).Length;
        var end = which == "the rest" ? length : Math.Min(chip.NextOffset + int.Parse(count!, System.Globalization.CultureInfo.InvariantCulture), length);
        _dataFrames = chip.SendImageData(bench.Chip(target).Name, end, chunk);
    }

    private int _dataFrames;

    [Then(@"^(\w+) answers each DATA frame with one DATA_ACK upstream within (\d+) ms, the last saying persisted (\d+) and next (\d+)$")]
    public async Task ThenItAcknowledgesEveryDataFrame(string target, int ms, uint persisted, uint next)
    {
        var me = bench.Chip(target).ModelId;
        static IEnumerable<DataAckPayload> Acks(IEnumerable<PortOutput> seen, byte me) => seen
            .Select(o => o.Item is DecodedFrame { Frame: { Type: MessageType.DataAck } f } && f.Source == me ? DataAckPayload.TryDecode(f.Payload, out _) : null)
            .OfType<DataAckPayload>();
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), seen => Acks(seen, me).Count() >= _dataFrames, scenario.RunCancellation);
        var acks = Acks(outputs, me).ToList();
        Expect.That(acks.Count == _dataFrames, $"{target} answered {acks.Count} DATA_ACK(s) to {_dataFrames} DATA frames within {ms} ms; docs/protocol.md §7.3: exactly one DATA_ACK per DATA");
        var last = acks[^1];
        Expect.That(last.Status == DataStatus.Ok && last.Persisted == persisted && last.Next == next,
            $"{target}'s last DATA_ACK says {last.Status}, persisted {last.Persisted}, next {last.Next}; expected OK, persisted {persisted} (the sector boundary, §7.3), next {next}");
    }

    [When(@"^the rig sends (\w+) a START( of that campaign)? for (\w+) from upstream$")]
    public void WhenTheRigSendsAStartOfThatCampaign(string target, string? thatCampaign, string forChip)
    {
        var wired = bench.Chip(target);
        var other = bench.Chip(forChip);
        if (string.IsNullOrEmpty(thatCampaign))
        {
            chip.CampaignId = ConformanceDriver.RigCampaign;
        }
        var campaign = chip.CampaignId ?? upgrade.LastCampaignId ?? throw new InvalidOperationException("no campaign ran in this scenario: 'that campaign' needs one");
        chip.Send(wired.Name, ConformanceDriver.StartFrame(campaign, other.ModelId, 0x44), fromUpstream: true);
    }

    [When(@"^(\w+) gets the COMPLETE of that campaign from (\w+) below it$")]
    public void WhenTheChipGetsAComplete(string target, string from)
    {
        var source = bench.Chip(from);
        var campaign = chip.CampaignId ?? upgrade.LastCampaignId ?? throw new InvalidOperationException("no campaign ran in this scenario: 'that campaign' needs one");
        var payload = new CompletePayload(campaign, source.ModelId, CompleteStatus.Activated, new FirmwareVersion(1, 1, 0)).Encode();
        chip.Send(bench.Chip(target).Name, new Frame(MessageType.Complete, Address.Module, source.ModelId, 0x45, payload).Encode(), fromUpstream: false);
    }

    [Then(@"^(\w+) answers START_ACK (?:(Ok|AlreadyUpgraded) )?in (\w+) mode(?: from offset (\d+))? upstream within (\d+) ms$")]
    public async Task ThenItAnswersStartAck(string target, string? status, ChipMode mode, string? offset, int ms)
    {
        var expected = string.IsNullOrEmpty(status) ? StartStatus.Ok : Enum.Parse<StartStatus>(status);
        var me = bench.Chip(target).ModelId;
        bool Matches(PortOutput o) => o.Item is DecodedFrame { Frame: { Type: MessageType.StartAck } f } && f.Source == me
            && StartAckPayload.TryDecode(f.Payload, out _) is { } ack && ack.Mode == mode && ack.Status == expected
            && (string.IsNullOrEmpty(offset) || ack.ResumeOffset == uint.Parse(offset, System.Globalization.CultureInfo.InvariantCulture));
        var outputs = await chip.OutputsAsync(Direction.Upstream, TimeSpan.FromMilliseconds(ms), seen => seen.Any(Matches), scenario.RunCancellation);
        Expect.That(outputs.Any(Matches),
            $"{target} did not answer START_ACK {expected} in {mode} mode{(!string.IsNullOrEmpty(offset) ? $" from offset {offset}" : "")} upstream within {ms} ms (docs/protocol.md §6.2); it put {Describe(outputs)} there");
    }

    [Then(@"^(\w+) answers STATUS in (\w+) mode$")]
    public async Task ThenItAnswersStatusInMode(string target, ChipMode mode)
    {
        var status = await bench.Bench.Probe.QueryStatusWithRetriesAsync(bench.Chip(target).Name, scenario.RunCancellation);
        Expect.That(status?.Mode == mode, $"{target} answers STATUS {(status is null ? "with silence" : $"in {status.Mode} mode")}, expected {mode} (docs/protocol.md §7.6)");
    }

    [Then(@"^(\w+) answers STATUS within (\d+) ms, as the median of (\d+) requests from upstream$")]
    public async Task ThenItAnswersStatusInTime(string target, int ms, int count)
    {
        var times = (await chip.StatusAnswerTimesAsync(bench.Chip(target).Name, count, scenario.RunCancellation)).Order().ToList();
        var median = times[times.Count / 2];
        Expect.That(median <= ms, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{target} took {median:0.0} ms to answer STATUS (median of {count}: {string.Join(", ", times.Select(t => double.IsInfinity(t) ? "no answer" : $"{t:0.0}"))} ms, the answer's line time taken off); docs/protocol.md §7.6 gives it {ms} ms"));
    }

    internal static Direction DirectionOf(string side) => side == "downstream" ? Direction.Downstream : Direction.Upstream;

    /// <summary>What a list of port outputs holds, for a failure message.</summary>
    internal static string Describe(IReadOnlyList<PortOutput> outputs) => outputs.Count == 0 ? "nothing"
        : string.Join("; ", outputs.Select(o => o.Item is DecodedFrame f ? $"{FrameSummary.Describe(f.Frame)} at {o.AfterMs:0} ms" : $"{o.Item.Raw.Length} byte(s) that are not a valid frame at {o.AfterMs:0} ms"));
}
