using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Framing;
using HilRig.Scenarios.Drivers;

namespace HilRig.Scenarios.Tests.Drivers;

/// <summary>The feature files' words for "when" a fault fires, and the triggers they become.</summary>
public sealed class TriggerPhrasesTests
{
    /// <summary>The embedded default bench: chip1 (0x11), chip2 (0x12), chip3 (0x13) in a chain.</summary>
    private static BenchWiring Wiring() => WiringLoader.Load(Path.Combine(RigSettings.FindRepositoryRoot(AppContext.BaseDirectory), "wiring", "sim-chain.yaml"));

    private static IFaultTrigger Parse(string phrase) => TriggerPhrases.Parse(phrase, Wiring());

    [Theory]
    [InlineData("at 50% of chip3's transfer", "chip3", null, 50.0)]
    [InlineData("at 12.5% of chip2's transfer", "chip2", null, 12.5)]
    [InlineData("  at byte 1 of chip3's transfer ", "chip3", 1L, null)]
    [InlineData("at byte 0 of chip1's transfer", "chip1", 0L, null)]
    public void TransferPoints_BecomeAtTransferPoint(string phrase, string chip, long? bytes, double? percent)
    {
        Assert.Equal(new AtTransferPoint(chip, bytes, percent), Parse(phrase));
    }

    [Fact]
    public void TheLastByte_And_ADelay()
    {
        Assert.Equal(new OnLastByteAcknowledged("chip3"), Parse("when chip3 acknowledges the last byte of its image"));
        Assert.Equal(new AfterDelay(TimeSpan.FromMilliseconds(300)), Parse("after 300 ms"));
    }

    [Fact]
    public void AFrameReachingAChip_IsWatchedGoingDown_TheLinkAboveIt()
    {
        Assert.Equal(new OnProtocolEvent(MessageType.Prepare, 1, "chip2", null, Direction.Downstream), Parse("when the first PREPARE reaches chip2"));
    }

    [Fact]
    public void AFrameLeavingAChip_IsWatchedGoingUp_AndFromNamesTheSendersModelId()
    {
        Assert.Equal(new OnProtocolEvent(MessageType.Complete, 1, "chip2", 0x13, Direction.Upstream), Parse("when the first COMPLETE from chip3 leaves chip2"));
    }

    [Theory]
    [InlineData("second", 2)]
    [InlineData("fifth", 5)]
    [InlineData("21st", 21)]
    [InlineData("3rd", 3)]
    public void AFrameReachingTheModule_IsWatchedGoingUp_TheLinkBelowIt(string ordinal, int nth)
    {
        Assert.Equal(new OnProtocolEvent(MessageType.StartAck, nth, null, null, Direction.Upstream), Parse($"when the {ordinal} START_ACK reaches the module"));
    }

    [Theory]
    [InlineData("DATA_ACK", MessageType.DataAck)]
    [InlineData("STATUS_REQ", MessageType.StatusRequest)]
    [InlineData("STATUS_RSP", MessageType.StatusResponse)]
    [InlineData("StartAck", MessageType.StartAck)]
    public void MessageTypeOf_TakesTheProtocolPagesNames_AndTheEnumNames(string word, MessageType type)
    {
        Assert.Equal(type, TriggerPhrases.MessageTypeOf(word));
    }

    [Fact]
    public void AnUnknownMessageType_IsNamedWithTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => TriggerPhrases.MessageTypeOf("ACK_ALL"));
        Assert.StartsWith("'ACK_ALL' is not a message type (known: PREPARE,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChipTheBenchDoesNotHave_IsNamedWithTheChipsItHas()
    {
        var error = Assert.Throws<ArgumentException>(() => Parse("at 50% of chip9's transfer"));
        Assert.Equal("bench sim-chain has no chip 'chip9' (chips: chip1, chip2, chip3)", error.Message);
    }

    [Fact]
    public void APhraseTheRigDoesNotKnow_FailsListingThePhrasesItKnows()
    {
        var error = Assert.Throws<ArgumentException>(() => Parse("at every frame boundary of chip2's transfer"));
        Assert.StartsWith("'at every frame boundary of chip2's transfer' is not a fault moment the rig knows. Use one of: \"at 50% of chip3's transfer\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModuleDownloadPercent_IsAByteCountOfTheModulesFactoryImage()
    {
        var wiring = Wiring();
        var size = new FileInfo(wiring.Module.FactoryImage!).Length;

        var trigger = Assert.IsType<AtDownloadedBytes>(TriggerPhrases.Parse("when the module has downloaded 25% of its firmware", wiring));

        Assert.Equal(size / 4, trigger.Bytes);
        Assert.Equal($"when the module has downloaded 25% of its firmware ({size / 4} of {size} bytes)", trigger.Description);
    }

    [Fact]
    public void ChipDownloadBytes_IsThatByteCount()
    {
        var trigger = Assert.IsType<AtDownloadedBytes>(Parse("when the module has downloaded 5000 bytes of chip firmware"));

        Assert.Equal(5000, trigger.Bytes);
        Assert.Equal("when the module has downloaded 5000 bytes of chip firmware", trigger.Description);
    }
}
