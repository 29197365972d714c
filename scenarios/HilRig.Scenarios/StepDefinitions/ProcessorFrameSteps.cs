using HilRig.Gherkin;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Conformance steps for the processor's frames (protocol 1.2, docs/protocol.md §5.12 to §5.16): the rig sends a chip
/// one of them from one side; the conformance steps (<see cref="ConformanceSteps"/>) watch what the chip does with it.
/// </summary>
[Binding]
public sealed class ProcessorFrameSteps(BenchDriver bench, ConformanceDriver chip, ScenarioRun scenario)
{
    [When(@"^the rig sends (\w+) a (CONTROL|CONTROL_REPLY|BODY_STATUS|OTA_NOTICE|OTA_ANSWER) frame for (the module|every chip|\w+) from (upstream|downstream)$")]
    public async Task WhenTheRigSendsAProcessorFrame(string target, string type, string destination, string side)
    {
        var name = bench.Chip(target).Name;
        chip.StatusBefore = await bench.Bench.Probe.QueryStatusWithRetriesAsync(name, scenario.RunCancellation);
        // Answers to the bench's boot probes (and to a probe retry) can still be on their way on a loaded machine: the frame
        // goes out once the chip's upstream side has been quiet, so what comes after it is the chip's doing.
        await UpstreamQuietAsync(name, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
        var address = destination switch
        {
            "the module" => Address.Module,
            "every chip" => Address.Broadcast,
            _ => bench.Chip(destination).ModelId,
        };
        // The module's frames come from 0x00, the processor's from chip 1's address (docs/protocol.md §7.7).
        var (messageType, source, payload) = type switch
        {
            "CONTROL" => (MessageType.Control, Address.Module, new ControlPayload("cmd-7", "set-power", "off").Encode()),
            "OTA_NOTICE" => (MessageType.OtaNotice, Address.Module,
                new OtaNoticePayload(0x01020304, OtaNoticeKind.Chips, [new NoticeImage(bench.Chip(target).ModelId, new FirmwareVersion(1, 1, 0))]).Encode()),
            "CONTROL_REPLY" => (MessageType.ControlReply, bench.Chip(target).ModelId, new ControlReplyPayload("cmd-7", true, "power off").Encode()),
            "BODY_STATUS" => (MessageType.BodyStatus, bench.Chip(target).ModelId, new BodyStatusPayload(true, false, "eco").Encode()),
            _ => (MessageType.OtaAnswer, bench.Chip(target).ModelId, new OtaAnswerPayload(0x01020304, OtaAnswer.Busy).Encode()),
        };
        chip.Send(name, new Frame(messageType, address, source, 0x43, payload).Encode(), side == "upstream");
    }

    private async Task UpstreamQuietAsync(string name, TimeSpan quiet, TimeSpan limit)
    {
        if (!bench.Bench.RelaysByChip.TryGetValue(name, out var relay))
        {
            return;
        }
        var last = System.Diagnostics.Stopwatch.GetTimestamp();
        void OnObserved(Core.Links.LinkObservation o)
        {
            if (o.Direction == Core.Links.Direction.Upstream)
            {
                Interlocked.Exchange(ref last, System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
        relay.Observed += OnObserved;
        try
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < limit)
            {
                var idle = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref last));
                if (idle >= quiet)
                {
                    return;
                }
                await Task.Delay(quiet - idle, scenario.RunCancellation);
            }
        }
        finally
        {
            relay.Observed -= OnObserved;
        }
    }
}
