using HilRig.Core.Faults;
using HilRig.Core.Faults.Sweeps;
using HilRig.Core.Links;
using HilRig.Core.Timeline;
using HilRig.Protocol.Messages;
using Xunit;
using static HilRig.Core.Tests.Faults.LinkTraffic;

namespace HilRig.Core.Tests.Faults;

/// <summary>The sweep's plan: the cut points its run without a fault counts are the points its triggers fire at.</summary>
public sealed class PowerCutSweepTests
{
    /// <summary>What the link above chip 0x13 carries in a short upgrade of it, behind another chip's traffic.</summary>
    private static readonly LinkObservation[] Transfer =
    [
        StartAck(OtherChip, ChipMode.PassThrough),
        Start(Chip, 128),
        StartAck(Chip, ChipMode.Upgrade),
        Garbage(),
        Data(Chip, 0, 64),
        Data(Chip, 64, 64),
        DataAck(Chip, 128),
        Data(Chip, 128, 64),
        DataAck(Chip, 192),
    ];

    [Fact]
    public void TheFrameBoundaries_AreTheFramesFromTheStartThatMakesTheChipTheTarget()
    {
        var frames = new TransferFrameCounter(Chip);

        var numbers = Transfer.Select(frames.Count).ToList();

        Assert.Equal([0, 1, 2, 0, 3, 4, 5, 6, 7], numbers);
        Assert.Equal(7, frames.Seen);
    }

    [Fact]
    public void EveryPointTheSweepCounts_IsFiredAtOnce_ByItsTrigger_AtThatFrame()
    {
        var frames = new TransferFrameCounter(Chip);
        foreach (var o in Transfer) frames.Count(o);

        for (var point = 1; point <= frames.Seen; point++)
        {
            var watch = new AtTransferFrame("chip3", point).NewWatch(Chip);
            var firedAt = Transfer.Select((o, i) => (Fired: watch(o), Index: i)).Where(x => x.Fired).Select(x => x.Index).ToList();
            var frameIndexes = Transfer.Select((o, i) => (o, i)).Where(x => x.o.Item is Protocol.Framing.DecodedFrame).Skip(1).Select(x => x.i).ToList();
            Assert.Equal([frameIndexes[point - 1]], firedAt);
        }
    }

    [Fact]
    public void TheFlashOperations_AreTheChipsOwnFlashLinesSinceTheRestart()
    {
        TimelineEvent[] events =
        [
            new(1, "chip3", "log", "flash op #1 erase 0x8000+4096"),
            new(10, "chip3", "log", "boot model=0x13 mode=INITIAL"),
            new(11, "chip3", "log", "flash op #1 erase 0x8000+4096"),
            new(12, "chip3", "log", "flash op #2 program 0x8000+64"),
            new(13, "chip2", "log", "flash op #1 erase 0x8000+4096"),
            new(14, "chip3", "fault", "flash op #3 program 0x8040+64"),
            new(15, "chip3", "log", "flash op #3 program 0x8040+64"),
        ];

        Assert.Equal(3, PowerCutSweep.FlashOperations(events, "chip3", 10));
    }
}
