using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Chip;

/// <summary>Modes, START decisions, forwarding, sleep and STATUS of the reference chip (docs/protocol.md §6).</summary>
public sealed partial class ChipFirmwareTests
{
    private const byte Chip1 = 0x11;
    private const byte Chip2 = 0x12;
    private const byte Chip3 = 0x13;

    private static MemoryMarkRecord DoneIn(uint campaign, ChipMode mode = ChipMode.Initial) =>
        MemoryMarkRecord.Factory with { Mode = mode, State = UpgradeState.Done, CampaignId = campaign };

    [Fact]
    public void Start_WritesPassThroughMarkBeforeStartAck_When_TargetIsAnotherChip()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1);
        var sequenceBefore = chip.Firmware.Mark.Sequence;

        var passedOn = Assert.Single(chip.Start(Chip3, chip.NewImage.Header));
        var ack = Assert.Single(chip.AnswerStartFromBelow(1, Chip2, ChipMode.PassThrough));

        // Protocol 1.1: START goes on with the budget less the hop margin and this chip as source; the answer waits for below.
        Assert.Equal((1, MessageType.Start, Chip1), (passedOn.Port, passedOn.Frame.Type, passedOn.Frame.Source));
        Assert.Equal(StartPayload.DefaultBudgetMs - ChipConfigMargin, Payload.Start(passedOn).BudgetMs);
        Assert.Equal((ChipMode.PassThrough, sequenceBefore + 1), (passedOn.MarkOnFlash.Mode, passedOn.MarkOnFlash.Sequence));
        Assert.Equal((0, Address.Module), (ack.Port, ack.Frame.Destination));
        Assert.Equal(new StartAckPayload(ChipUnderTest.Campaign, Chip1, ChipMode.PassThrough, 0, StartStatus.Ok)
        {
            Below = [new StartAnswer(Chip2, ChipMode.PassThrough, 0, StartStatus.Ok)],
        }, Payload.StartAck(ack));
        Assert.Equal(ChipMode.PassThrough, ack.MarkOnFlash.Mode);
        Assert.Equal(ChipMode.PassThrough, chip.Firmware.Mode);
    }

    [Fact]
    public void Start_EntersSleepAfterPassingStartOn_When_ChipIsDoneInSameCampaign()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign));

        var passedOn = Assert.Single(chip.Start(Chip3, chip.NewImage.Header));
        var ack = Assert.Single(chip.AnswerStartFromBelow(1, Chip2, ChipMode.Sleep));
        var status = chip.Deliver(0, MessageType.StatusRequest, Chip1, Address.Rig, []);

        // START still reaches the chips beyond, so they learn their own mode (docs/protocol.md §6.2), and their answers come
        // back through the sleeping chip inside its own (§6.4).
        Assert.Equal((1, MessageType.Start), (passedOn.Port, passedOn.Frame.Type));
        Assert.Equal(ChipMode.Sleep, passedOn.MarkOnFlash.Mode);
        Assert.Equal(0, ack.Port);
        Assert.Equal([ChipMode.Sleep, ChipMode.Sleep], Payload.StartAck(ack).Answers.Select(a => a.Mode));
        Assert.Equal(ChipMode.Sleep, ack.MarkOnFlash.Mode);
        Assert.Empty(status);
        Assert.Equal(ChipMode.Sleep, chip.Firmware.Mode);
    }

    [Fact]
    public void Start_EntersPassThrough_When_ChipIsDoneInAnotherCampaign()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign - 1));

        var sent = chip.Start(Chip3, chip.NewImage.Header);
        var ack = Assert.Single(chip.AnswerStartFromBelow(1, Chip2, ChipMode.PassThrough));

        Assert.Equal(ChipMode.PassThrough, Payload.StartAck(ack).Mode);
        Assert.Contains(sent, s => s.Port == 1 && s.Frame.Type == MessageType.Start);
    }

    [Fact]
    public void Sleep_IgnoresStatusRequest_When_Asleep()
    {
        using var chip = new ChipUnderTest(Chip2, downstreamPorts: 1, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.Sleep));

        var sent = chip.Deliver(0, MessageType.StatusRequest, Chip2, Address.Rig, []);
        var forOthers = chip.Deliver(0, MessageType.StatusRequest, Chip3, Address.Rig, []);

        Assert.Empty(sent);
        Assert.Empty(forOthers);
    }

    [Fact]
    public void Complete_WakesSleepingChipAndFloodsOtherPorts_When_ItArrivesFromBelow()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.Sleep));
        var complete = new CompletePayload(ChipUnderTest.Campaign, Chip2, CompleteStatus.Activated, new(1, 1, 0)).Encode();

        var sent = chip.Deliver(1, MessageType.Complete, Address.Broadcast, Chip2, complete);

        Assert.Equal([0, 2], sent.Select(s => s.Port).Order());
        Assert.All(sent, s => Assert.Equal(MessageType.Complete, s.Frame.Type));
        Assert.All(sent, s => Assert.Equal(ChipMode.Initial, s.MarkOnFlash.Mode));
        Assert.Equal(ChipMode.Initial, chip.Firmware.Mode);
    }

    [Fact]
    public void Complete_WakesSleepingChip_When_AddressedToAnotherChip()
    {
        using var chip = new ChipUnderTest(Chip3, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.Sleep));
        var complete = new CompletePayload(ChipUnderTest.Campaign, Chip2, CompleteStatus.Activated, new(1, 1, 0)).Encode();

        chip.Deliver(0, MessageType.Complete, Chip1, Chip2, complete);

        Assert.Equal(ChipMode.Initial, chip.Firmware.Mode);
    }

    [Fact]
    public void Status_IsAnsweredOnArrivalPortToSource_When_RigAsksFromBelow()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);

        var reply = Assert.Single(chip.Deliver(2, MessageType.StatusRequest, Chip1, Address.Rig, []));

        Assert.Equal((2, Address.Rig, Chip1), (reply.Port, reply.Frame.Destination, reply.Frame.Source));
        var status = Payload.Status(reply);
        Assert.Equal((ChipMode.Initial, (byte)0, new FirmwareVersion(1, 0, 0)), (status.Mode, status.ActiveSlot, status.ActiveVersion));
        Assert.Equal(Protocol.Images.SampleImages.Build(Chip1, new(1, 0, 0), 3000).Header.BodySha256, status.ActiveDigest);
    }

    [Fact]
    public void Forwarding_SendsUpstreamFramesToEveryDownstreamPortAndDownstreamFramesUpOnly_When_Initial()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);

        var down = chip.Deliver(0, MessageType.StatusRequest, Chip3, Address.Rig, []);
        var up = chip.Deliver(2, MessageType.StatusResponse, Address.Rig, Chip3, new byte[StatusPayload.SizeBytes]);

        Assert.Equal([1, 2], down.Select(s => s.Port).Order());
        Assert.Equal(0, Assert.Single(up).Port);
        Assert.Equal(Chip3, up[0].Frame.Source);
    }

    [Fact]
    public void Upgrade_ForwardsNothing_When_FramesAreForOtherChips()
    {
        using var chip = new ChipUnderTest(Chip2, downstreamPorts: 1);
        chip.Start(Chip2, chip.NewImage.Header);

        var down = chip.Deliver(0, MessageType.StatusRequest, Chip3, Address.Rig, []);
        var up = chip.Deliver(1, MessageType.StartAck, Address.Module, Chip3, new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Sleep, 0, StartStatus.Ok).Encode());

        Assert.Equal(ChipMode.Upgrade, chip.Firmware.Mode);
        Assert.Empty(down);
        Assert.Empty(up);
    }

    [Fact]
    public void Start_IsPassedDownstreamOnceByTarget_When_Accepted()
    {
        using var chip = new ChipUnderTest(Chip2, downstreamPorts: 1);

        var passed = Assert.Single(chip.Start(Chip2, chip.NewImage.Header));
        var ack = Assert.Single(chip.AnswerStartFromBelow(1, Chip3, ChipMode.Sleep));
        var late = chip.AnswerStartFromBelow(1, Chip3, ChipMode.Sleep);

        Assert.Equal((1, MessageType.Start), (passed.Port, passed.Frame.Type));
        Assert.Equal(ChipMode.Upgrade, passed.MarkOnFlash.Mode);
        // The target carries the answer of the chip behind it up inside its own (§6.3), once.
        Assert.Equal(MessageType.StartAck, ack.Frame.Type);
        Assert.Equal([(Chip2, ChipMode.Upgrade), (Chip3, ChipMode.Sleep)], Payload.StartAck(ack).Answers.Select(a => (a.Chip, a.Mode)));
        Assert.Empty(late);
    }

    [Fact]
    public void Start_AnswersDownstreamSilent_When_ABranchDoesNotAnswerWithinTheBudget()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);
        chip.Start(Chip3, chip.NewImage.Header);
        var first = chip.AnswerStartFromBelow(2, Chip3, ChipMode.Upgrade);

        chip.Now += TimeSpan.FromMilliseconds(StartPayload.DefaultBudgetMs - ChipConfigMargin);
        chip.Firmware.Tick(chip.Now);

        Assert.Empty(first);
        var ack = Payload.StartAck(Assert.Single(chip.Output.TakeAll()));
        Assert.Equal((StartStatus.DownstreamSilent, (byte)0), (ack.Collection, ack.ReportingChip));
        Assert.Equal([Chip1, Chip3], ack.Answers.Select(a => a.Chip));
    }

    [Fact]
    public void Start_IsAnsweredAgainBySleepingChip_When_TheModuleRepeatsTheStartThatPutItToSleep()
    {
        using var chip = new ChipUnderTest(Chip3, mark: DoneIn(ChipUnderTest.Campaign, ChipMode.Sleep));
        var sequence = chip.Firmware.Mark.Sequence;

        var repeated = Assert.Single(chip.Start(Chip2, SampleHeader(Chip2)));
        var otherCampaign = chip.Start(Chip2, SampleHeader(Chip2), ChipUnderTest.Campaign + 1);
        var status = chip.Deliver(0, MessageType.StatusRequest, Chip3, Address.Rig, []);

        Assert.Equal(new StartAckPayload(ChipUnderTest.Campaign, Chip3, ChipMode.Sleep, 0, StartStatus.Ok), Payload.StartAck(repeated));
        Assert.Equal(sequence, chip.Firmware.Mark.Sequence);
        Assert.Empty(otherCampaign);
        Assert.Empty(status);
    }

    private const int ChipConfigMargin = HilRig.Bench.Chip.ChipConfig.PrepareMarginMs;

    private static Protocol.Images.ImageHeader SampleHeader(byte chip) => Protocol.Images.SampleImages.Build(chip, new(1, 1, 0), 4096).Header;

    [Fact]
    public void Prepare_AnswersReadyWithOwnEntry_When_ChipIsALeaf()
    {
        using var chip = new ChipUnderTest(Chip3);

        var reply = Assert.Single(chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Chip2, new PreparePayload(ChipUnderTest.Campaign, 1800).Encode()));

        Assert.Equal((0, Chip2), (reply.Port, reply.Frame.Destination));
        var ack = Payload.PrepareAck(reply);
        Assert.Equal((ChipUnderTest.Campaign, PrepareStatus.Ready, Chip3), (ack.CampaignId, ack.Status, ack.ReportingChip));
        Assert.Equal([new TopologyEntry(Chip3, Address.Module, ChipMode.Initial, new(1, 0, 0))], ack.Chips);
    }

    [Fact]
    public void Prepare_IsRefusedAsOperating_When_DeviceBodyOperates()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, operating: true);

        var sent = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());

        var ack = Payload.PrepareAck(Assert.Single(sent));
        Assert.Equal((PrepareStatus.RefusedOperating, Chip1), (ack.Status, ack.ReportingChip));
        Assert.Single(ack.Chips);
    }

    [Fact]
    public void Prepare_IsRefusedAsOperating_When_BenchSetOperatingTurnedItOn()
    {
        using var chip = new ChipUnderTest(Chip3);

        var status = Payload.Status(Assert.Single(chip.Deliver(0, MessageType.BenchSetOperating, Chip3, Address.Rig, new BenchSetOperatingPayload(true).Encode())));
        var sent = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());

        Assert.True(status.Operating);
        Assert.Equal(PrepareStatus.RefusedOperating, Payload.PrepareAck(Assert.Single(sent)).Status);
    }

    [Fact]
    public void Prepare_IsRefusedAsBusy_When_ChipIsInPassThroughOfTheSameCampaign()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 1, mark: MemoryMarkRecord.Factory with { Mode = ChipMode.PassThrough, CampaignId = ChipUnderTest.Campaign });

        var sent = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());

        Assert.Equal(PrepareStatus.RefusedBusy, Payload.PrepareAck(Assert.Single(sent)).Status);
    }

    [Fact]
    public void Prepare_AbandonsTheStaleCampaign_When_ChipIsInPassThroughOfAnotherCampaign()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 0, mark: MemoryMarkRecord.Factory with { Mode = ChipMode.PassThrough, CampaignId = ChipUnderTest.Campaign - 1 });

        var sent = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());

        Assert.Equal(PrepareStatus.Ready, Payload.PrepareAck(Assert.Single(sent)).Status);
        Assert.Equal(ChipMode.Initial, chip.Firmware.Mark.Mode);
    }

    [Fact]
    public void Prepare_AggregatesChildrenWithRewrittenParents_When_EveryPortAnswers()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);

        var forwarded = chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());
        var afterFirst = chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2,
            new PrepareAckPayload(ChipUnderTest.Campaign, PrepareStatus.Ready, Chip2, [new TopologyEntry(Chip2, Address.Module, ChipMode.Initial, new(1, 0, 0))]).Encode());
        var afterSecond = chip.Deliver(2, MessageType.PrepareAck, Chip1, Chip3,
            new PrepareAckPayload(ChipUnderTest.Campaign, PrepareStatus.Ready, Chip3, [new TopologyEntry(Chip3, Address.Module, ChipMode.Initial, new(1, 0, 0))]).Encode());

        Assert.Equal([1, 2], forwarded.Select(s => s.Port).Order());
        Assert.All(forwarded, s => Assert.Equal((Address.Broadcast, Chip1, (ushort)1900), (s.Frame.Destination, s.Frame.Source, Payload.Prepare(s).BudgetMs)));
        Assert.Empty(afterFirst);
        var reply = Assert.Single(afterSecond);
        Assert.Equal((0, Address.Module), (reply.Port, reply.Frame.Destination));
        var ack = Payload.PrepareAck(reply);
        Assert.Equal(PrepareStatus.Ready, ack.Status);
        Assert.Equal([(Chip1, Address.Module), (Chip2, Chip1), (Chip3, Chip1)], ack.Chips.Select(c => (c.ModelId, c.ParentId)));
    }

    [Fact]
    public void Prepare_AnswersDownstreamSilent_When_BudgetRunsOutWithAPortSilent()
    {
        using var chip = new ChipUnderTest(Chip1, downstreamPorts: 2);
        chip.Deliver(0, MessageType.Prepare, Address.Broadcast, Address.Module, new PreparePayload(ChipUnderTest.Campaign, 2000).Encode());
        chip.Deliver(1, MessageType.PrepareAck, Chip1, Chip2,
            new PrepareAckPayload(ChipUnderTest.Campaign, PrepareStatus.Ready, Chip2, [new TopologyEntry(Chip2, Address.Module, ChipMode.Initial, new(1, 0, 0))]).Encode());

        chip.Firmware.Tick(chip.Now.AddMilliseconds(1899));
        var early = chip.Output.TakeAll();
        chip.Firmware.Tick(chip.Now.AddMilliseconds(1900));
        var late = chip.Output.TakeAll();

        Assert.Empty(early);
        var ack = Payload.PrepareAck(Assert.Single(late));
        Assert.Equal((PrepareStatus.DownstreamSilent, Chip1), (ack.Status, ack.ReportingChip));
        Assert.Equal([Chip1, Chip2], ack.Chips.Select(c => c.ModelId));
        Assert.Null(chip.Firmware.NextDeadline);
    }
}
