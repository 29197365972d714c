using HilRig.Bench.Chip;
using HilRig.Bench.Flash;
using HilRig.Protocol.Images;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Chip;

/// <summary>Each named firmware defect changes what the chip does in a way a scenario can see (issue 4, item 6).</summary>
public sealed partial class ChipFirmwareTests
{
    [Fact]
    public void ByName_HasEveryDefectInKebabCase_When_Listed()
    {
        Assert.Equal(
            ["acks-every-other-data", "activate-before-digest-check", "acts-on-others-frames", "answers-undecodable-payloads", "answers-upstream", "complete-not-flooded",
                "dies-booting-asleep", "forwards-corrupt-frames", "frame-length-big-endian", "mark-after-acting", "pass-through-drops-frames", "prepare-answers-alone",
                "prepare-hides-refusal", "restarts-finished-transfer", "resume-from-zero", "selective-ack-claims-unwritten-frames", "single-slot-mark", "sleep-answers-status", "sleep-not-persisted", "slow-status",
                "start-drops-below-answers", "status-reports-pending-version", "upgrade-forwards-frames"],
            ChipDefects.ByName.Keys.Order());
        Assert.Equal(ChipDefect.MarkAfterActing | ChipDefect.SingleSlotMark, ChipDefects.Parse(["mark-after-acting", "single-slot-mark"], out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Start_IsAcknowledgedAndForwardedBeforeMarkWrite_When_MarkAfterActing()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, defects: ChipDefect.MarkAfterActing);
        var sequenceBefore = chip.Firmware.Mark.Sequence;

        var sent = chip.Start(Chip3, chip.NewImage.Header);
        sent.AddRange(chip.AnswerStartFromBelow(1, Chip2, ChipMode.PassThrough));

        Assert.Equal(ChipMode.PassThrough, Payload.StartAck(sent.Single(s => s.Frame.Type == MessageType.StartAck)).Mode);
        Assert.All(sent, s => Assert.Equal((sequenceBefore, ChipMode.Initial), (s.MarkOnFlash.Sequence, s.MarkOnFlash.Mode)));
        Assert.Equal((sequenceBefore + 1, ChipMode.PassThrough), (chip.Firmware.Mark.Sequence, chip.Firmware.Mark.Mode));
    }

    [Fact]
    public void Start_IsAnsweredAtOnceAloneAndPassedOnUnchanged_When_StartDropsBelowAnswers()
    {
        using var chip = new ChipUnderTest(Chip2, downstreamPorts: 1, defects: ChipDefect.StartDropsBelowAnswers);

        var sent = chip.Start(Chip2, chip.NewImage.Header);
        var fromBelow = chip.Deliver(1, MessageType.StartAck, Address.Module, Chip3, new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Sleep, 0, StartStatus.Ok).Encode());

        var ack = Payload.StartAck(sent.Single(s => s.Frame.Type == MessageType.StartAck));
        Assert.Empty(ack.Below);
        Assert.Equal(Address.Module, sent.Single(s => s.Port == 1).Frame.Source);
        Assert.Empty(fromBelow);
    }

    [Fact]
    public void Start_AsTargetIsAcknowledgedBeforeUpgradeIsPersisted_When_MarkAfterActing()
    {
        using var chip = new ChipUnderTest(Chip3, defects: ChipDefect.MarkAfterActing);

        var ack = Assert.Single(chip.Start(Chip3, chip.NewImage.Header));

        Assert.Equal((ChipMode.Upgrade, 0u), (Payload.StartAck(ack).Mode, Payload.StartAck(ack).ResumeOffset));
        Assert.Equal(ChipMode.Initial, ack.MarkOnFlash.Mode);
        Assert.Equal(ChipMode.Upgrade, chip.Firmware.Mark.Mode);
    }

    [Fact]
    public void Complete_IsFloodedBeforeInitialIsPersisted_When_MarkAfterActing()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.PassThrough), defects: ChipDefect.MarkAfterActing);
        var complete = new CompletePayload(ChipUnderTest.Campaign, Chip2, CompleteStatus.Activated, new(1, 1, 0)).Encode();

        var sent = chip.Deliver(1, MessageType.Complete, Address.Broadcast, Chip2, complete);

        Assert.Equal([0, 2], sent.Select(s => s.Port).Order());
        Assert.All(sent, s => Assert.Equal(ChipMode.PassThrough, s.MarkOnFlash.Mode));
        Assert.Equal(ChipMode.Initial, chip.Firmware.Mark.Mode);
    }

    [Fact]
    public void Start_AnswersResumeOffsetZeroAndRestartsTransfer_When_ResumeFromZero()
    {
        using var chip = new ChipUnderTest(Chip3, defects: ChipDefect.ResumeFromZero);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, 3 * 4096 + 512);
        chip.PowerCycle();

        var ack = Payload.StartAck(chip.Start(Chip3, chip.NewImage.Header)[0]);
        var sent = chip.Stream(image, 0, image.Length);

        Assert.Equal((ChipMode.Upgrade, 0u, StartStatus.Ok), (ack.Mode, ack.ResumeOffset, ack.Status));
        Assert.Equal(CompleteStatus.Activated, Payload.Complete(sent[^1]).Status);
        Assert.Equal(image, chip.ReadImageSlot(1, image.Length));
    }

    [Fact]
    public void Start_SleepsWithoutPersistingSleep_When_SleepNotPersisted()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign), defects: ChipDefect.SleepNotPersisted);

        chip.Start(Chip3, chip.NewImage.Header);
        var ack = Payload.StartAck(Assert.Single(chip.AnswerStartFromBelow(1, Chip2, ChipMode.Sleep)));
        var asleep = chip.Deliver(0, MessageType.StatusRequest, Chip1, Address.Rig, []);
        chip.PowerCycle();
        var afterPowerLoss = chip.Deliver(0, MessageType.StatusRequest, Chip1, Address.Rig, []);

        Assert.Equal(ChipMode.Sleep, ack.Mode);
        Assert.Empty(asleep);
        Assert.Equal(ChipMode.Initial, Payload.Status(Assert.Single(afterPowerLoss)).Mode);
    }

    [Fact]
    public void Complete_WakesUnpersistedSleep_When_SleepNotPersisted()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign), defects: ChipDefect.SleepNotPersisted);
        chip.Start(Chip3, chip.NewImage.Header);
        var complete = new CompletePayload(ChipUnderTest.Campaign, Chip3, CompleteStatus.Activated, new(1, 1, 0)).Encode();

        var flooded = chip.Deliver(1, MessageType.Complete, Address.Broadcast, Chip3, complete);

        Assert.Equal(0, Assert.Single(flooded).Port);
        Assert.Equal(ChipMode.Initial, chip.Firmware.Mode);
    }

    [Fact]
    public void Transfer_ActivatesImageWithWrongDigest_When_ActivateBeforeDigestCheck()
    {
        using var chip = new ChipUnderTest(Chip3, defects: ChipDefect.ActivateBeforeDigestCheck);
        var image = chip.NewImage.Encode();
        image[ImageHeader.SizeBytes + 5000] ^= 0x01;
        chip.Start(Chip3, chip.NewImage.Header);

        var sent = chip.Stream(image, 0, image.Length);

        Assert.Equal(CompleteStatus.Activated, Payload.Complete(sent[^1]).Status);
        Assert.Equal(((byte)1, UpgradeState.Done), (chip.Firmware.Mark.ActiveSlot, chip.Firmware.Mark.State));
    }

    [Fact]
    public void MarkWrite_LeavesOnlyTheFactoryRecord_When_SingleSlotMarkIsCutInsideIt()
    {
        using var chip = new ChipUnderTest(Chip3, defects: ChipDefect.SingleSlotMark);
        chip.Start(Chip3, chip.NewImage.Header);
        var erase = new FlashOperation(1, FlashOperationKind.Erase, chip.Layout.MarkSlotAddress(0), chip.Layout.SectorSizeBytes);
        var seed = Enumerable.Range(0, 100).First(s => new FlashFaultPlan(1, s).TearErase(erase, new byte[erase.LengthBytes]) >= 4);
        chip.CutInside(1, seed);

        var cut = Assert.Throws<PowerCutException>(() => chip.Deliver(0, MessageType.Complete, Address.Broadcast, Chip2,
            new CompletePayload(ChipUnderTest.Campaign, Chip2, CompleteStatus.Activated, new(1, 1, 0)).Encode()));
        chip.RebootFromFile();

        Assert.Equal(erase, cut.Operation);
        Assert.Same(MemoryMarkRecord.Factory, chip.Firmware.Mark);
    }

    [Fact]
    public void MarkWrite_KeepsThePreviousRecord_When_ReferenceChipIsCutInsideTheSameWrite()
    {
        using var chip = new ChipUnderTest(Chip3);
        chip.Start(Chip3, chip.NewImage.Header);
        chip.CutInside(1, seed: 0);

        var cut = Assert.Throws<PowerCutException>(() => chip.Deliver(0, MessageType.Complete, Address.Broadcast, Chip2,
            new CompletePayload(ChipUnderTest.Campaign, Chip2, CompleteStatus.Activated, new(1, 1, 0)).Encode()));
        chip.RebootFromFile();

        Assert.Equal(chip.Layout.MarkSlotAddress(1), cut.Operation.Address);
        Assert.Equal((1u, ChipMode.Upgrade), (chip.Firmware.Mark.Sequence, chip.Firmware.Mode));
    }

    [Fact]
    public void PassThrough_DropsEveryFifthForwardedFrame_When_PassThroughDropsFrames()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, defects: ChipDefect.PassThroughDropsFrames);
        chip.Start(Chip3, chip.NewImage.Header);

        var forwarded = Enumerable.Range(0, 10)
            .Select(i => chip.Deliver(0, MessageType.Data, Chip3, Address.Module, new DataPayload((uint)(i * 16), new byte[16]).Encode()).Count)
            .ToList();

        Assert.Equal([1, 1, 1, 1, 0, 1, 1, 1, 1, 0], forwarded);
    }
}
