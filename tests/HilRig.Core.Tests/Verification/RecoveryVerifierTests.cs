using HilRig.Core.Verification;
using HilRig.Protocol.Messages;
using Xunit;

namespace HilRig.Core.Tests.Verification;

/// <summary>The verifier's verdict on one chip: what it answered after the fault against what it had persisted before.</summary>
public sealed class RecoveryVerifierTests
{
    private static ChipExpectation Expect(uint acked = 0, params ChipMode[] modes) => new("chip2", new HashSet<ChipMode>(modes), acked, null);

    private static StatusPayload Status(ChipMode mode, uint persisted = 0) =>
        new(mode, 0, new FirmwareVersion(1, 0, 0), default, false, 7, persisted, 1000, new byte[32]);

    [Fact]
    public void AChipBackInThePersistedMode_Recovered()
    {
        var recovery = RecoveryVerifier.Judge("chip2", Expect(0, ChipMode.PassThrough), [], Status(ChipMode.PassThrough));

        Assert.True(recovery.Recovered);
        Assert.Null(recovery.Problem);
        Assert.Equal("PassThrough", recovery.Expected);
        Assert.Equal("PassThrough, persisted 0, version 1.0.0", recovery.Observed);
    }

    [Fact]
    public void AChipBackInAnotherMode_NotRecovered_AndTheProblemSaysBoth()
    {
        var recovery = RecoveryVerifier.Judge("chip2", Expect(0, ChipMode.PassThrough), [], Status(ChipMode.Initial));

        Assert.False(recovery.Recovered);
        Assert.Equal("chip2 came back Initial, persisted 0, version 1.0.0, but had persisted PassThrough", recovery.Problem);
    }

    [Fact]
    public void ASilentChip_ReadsAsSleep_Which_IsRightOnlyForASleepingChip()
    {
        Assert.True(RecoveryVerifier.Judge("chip2", Expect(0, ChipMode.Sleep), [], null).Recovered);

        var woke = RecoveryVerifier.Judge("chip2", Expect(0, ChipMode.Upgrade), [], null);
        Assert.False(woke.Recovered);
        Assert.Equal("silent (Sleep)", woke.Observed);
    }

    [Fact]
    public void AModeTheChipWasToldButHadNotConfirmed_IsAcceptedToo()
    {
        var either = Expect(0, ChipMode.Initial, ChipMode.Upgrade);

        Assert.True(RecoveryVerifier.Judge("chip2", either, [], Status(ChipMode.Initial)).Recovered);
        Assert.True(RecoveryVerifier.Judge("chip2", either, [], Status(ChipMode.Upgrade)).Recovered);
        Assert.Equal("Initial or Upgrade", RecoveryVerifier.Judge("chip2", either, [], Status(ChipMode.Upgrade)).Expected);
    }

    [Fact]
    public void AModeTheChipsOwnFramesConfirmedSincePowerReturned_IsAccepted()
    {
        // Traffic after power-on (a COMPLETE passing) moved it on before the rig asked: its own frames said so.
        var recovery = RecoveryVerifier.Judge("chip2", Expect(0, ChipMode.PassThrough), [ChipMode.Initial], Status(ChipMode.Initial));

        Assert.True(recovery.Recovered);
    }

    [Fact]
    public void ATargetResumingBehindWhatItAcknowledged_NotRecovered()
    {
        var expected = Expect(512, ChipMode.Upgrade);

        var behind = RecoveryVerifier.Judge("chip2", expected, [], Status(ChipMode.Upgrade, 256));
        Assert.False(behind.Recovered);
        Assert.Equal("Upgrade, persisted >= 512", behind.Expected);
        Assert.Equal("chip2 resumes from offset 256, behind the 512 it had acknowledged as persisted", behind.Problem);

        Assert.True(RecoveryVerifier.Judge("chip2", expected, [], Status(ChipMode.Upgrade, 512)).Recovered);
        Assert.True(RecoveryVerifier.Judge("chip2", expected, [], Status(ChipMode.Upgrade, 768)).Recovered);
    }

    [Fact]
    public void RecoveryCheck_PassesOnlyWhenEveryChipRecovered_AndDescribesTheOthers()
    {
        var ok = new ChipRecovery("chip1", "Initial", "Initial", true, null);
        var bad = new ChipRecovery("chip3", "Sleep", "Initial", false, "chip3 came back Initial");
        var check = new RecoveryCheck("power off chip3 for 100 ms", 12, [ok]);

        Assert.True(check.Passed);
        var worse = check.With(bad);
        Assert.False(worse.Passed);
        Assert.Equal("after 'power off chip3 for 100 ms': chip3 came back Initial", worse.Describe());
    }
}
