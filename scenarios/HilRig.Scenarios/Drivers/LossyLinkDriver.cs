using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Gherkin;
using HilRig.Protocol.Framing;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// A link that keeps losing DATA frames, and chips that speak an older protocol (docs/protocol.md §1, §7.3.1): what the
/// selective acknowledgement scenarios set up before the upgrade.
/// </summary>
public sealed class LossyLinkDriver(BenchDriver bench)
{
    /// <summary>
    /// Restarts <paramref name="chip"/> as a protocol 1.1 chip (`--protocol 1.1`: it ignores TRANSFER_OPTIONS). Emulated chips only:
    /// on boards, flash 1.1 firmware instead.
    /// </summary>
    public async Task SpeakProtocol11Async(string chip)
    {
        if (bench.Bench is not IEmulatedNodes nodes)
        {
            throw new SkipScenarioException($"bench '{bench.Wiring.Name}' runs boards: a chip speaks the protocol its firmware was built for (flash a 1.1 build to run this)");
        }
        var name = bench.Chip(chip).Name;
        nodes.Launch(name).ExtraArguments.AddRange(["--protocol", "1.1"]);
        await bench.Bench.Power(name).OffAsync(bench.Cancellation);
        await bench.Bench.Power(name).OnAsync(bench.Cancellation);
        await bench.Bench.Probe.WaitUntilAnswersAsync(name, bench.Bench.Options.BootTimeout, bench.Cancellation);
    }

    /// <summary>
    /// From now on every <paramref name="nth"/> DATA frame going down the link above <paramref name="chip"/> is dropped, whoever it
    /// is for: the link fault "drop the next N frames of a type" of docs/faults.md, armed for good with a counting match.
    /// </summary>
    public void LoseEveryNthDataFrame(string chip, int nth)
    {
        var seen = 0;
        bench.Bench.RelaysByChip[bench.Chip(chip).Name].Faults(Direction.Downstream)
            .DropFrames(int.MaxValue, f => f.Type == MessageType.Data && Interlocked.Increment(ref seen) % nth == 0);
    }
}
