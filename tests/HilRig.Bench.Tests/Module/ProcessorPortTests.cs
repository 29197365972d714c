using HilRig.Bench.Module;
using HilRig.Bench.Module.Network;
using HilRig.Protocol.Cloud;

namespace HilRig.Bench.Tests.Module;

/// <summary>The module's side of the processor's exchange (docs/protocol.md §7.7) against a scripted processor: frames out, frames in, no ptys.</summary>
public sealed class ProcessorPortTests
{
    private readonly List<Frame> _sent = new();
    private readonly List<string> _log = new();
    private Action<Frame>? _processor;
    private byte _sequence;

    private ProcessorPort Port() => new(frame =>
    {
        lock (_sent) _sent.Add(frame);
        _processor?.Invoke(frame);
    }, () => _sequence++, line => { lock (_log) _log.Add(line); });

    [Fact]
    public async Task Control_GoesToBroadcast_When_TheProcessorHasNotSpokenYet()
    {
        var port = Port();
        await port.ControlAsync(new ControlPayload("c-1", "set-power", "off"), TimeSpan.FromMilliseconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(Address.Broadcast, _sent[0].Destination);
        Assert.Equal(MessageType.Control, _sent[0].Type);
    }

    [Fact]
    public async Task Control_ReturnsTheProcessorsReply_When_ItAnswersTheSameCommandId()
    {
        var port = Port();
        port.Receive(new Frame(MessageType.BodyStatus, Address.Module, 0x11, 1, new BodyStatusPayload(true, false, "normal").Encode()));
        _processor = frame =>
        {
            var control = ControlPayload.TryDecode(frame.Payload, out _)!;
            port.Receive(new Frame(MessageType.ControlReply, Address.Module, 0x11, 2, new ControlReplyPayload("other", true, "not this one").Encode()));
            port.Receive(new Frame(MessageType.ControlReply, Address.Module, 0x11, 3, new ControlReplyPayload(control.CommandId, false, "door open").Encode()));
        };

        var reply = await port.ControlAsync(new ControlPayload("c-2", "set-mode", "turbo"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(new ControlReplyPayload("c-2", false, "door open"), reply);
        Assert.Equal(0x11, _sent[0].Destination);
        Assert.Contains(_log, l => l.Contains("CONTROL_REPLY for command other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Control_ReturnsNull_When_NoReplyComesInTime()
    {
        var reply = await Port().ControlAsync(new ControlPayload("c-3", "set-power", "on"), TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        Assert.Null(reply);
    }

    [Fact]
    public async Task Announce_HoldsWhileBusy_And_GoesAheadOnAccept()
    {
        var port = Port();
        var answers = new Queue<OtaAnswer>([OtaAnswer.Busy, OtaAnswer.Busy, OtaAnswer.Accept]);
        _processor = frame =>
        {
            var notice = OtaNoticePayload.TryDecode(frame.Payload, out _)!;
            port.Receive(new Frame(MessageType.OtaAnswer, Address.Module, 0x11, 4, new OtaAnswerPayload(notice.NoticeId, answers.Dequeue()).Encode()));
        };
        var deferred = new List<string>();
        var relay = new ProcessorRelay(port, _ => { }, ModuleDefect.None);

        await relay.AnnounceAsync(new OtaNoticePayload(4097, OtaNoticeKind.Chips, [new NoticeImage(0x13, new FirmwareVersion(1, 1, 0))]), deferred.Add,
            TestContext.Current.CancellationToken);

        Assert.Equal(3, _sent.Count(f => f.Type == MessageType.OtaNotice));
        Assert.Single(deferred);
        Assert.Contains("BUSY", deferred[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Announce_GoesAhead_When_TheProcessorNeverAnswers()
    {
        var deferred = new List<string>();
        var relay = new ProcessorRelay(Port(), _ => { }, ModuleDefect.None);

        await relay.AnnounceAsync(new OtaNoticePayload(7, OtaNoticeKind.Module, [new NoticeImage(OtaInstruction.ModuleModelId, new FirmwareVersion(2, 1, 0))]), deferred.Add,
            TestContext.Current.CancellationToken);

        Assert.Single(_sent);
        Assert.Empty(deferred);
    }

    [Fact]
    public async Task RelayedCommand_FailsNamingTheTimeout_When_TheProcessorIsSilent()
    {
        var relay = new ProcessorRelay(Port(), _ => { }, ModuleDefect.None);
        var reply = await relay.ControlAsync(new ControlCommand("c-4", "set-power", "off"), TestContext.Current.CancellationToken);
        Assert.False(reply.Ok);
        Assert.StartsWith("timeout:", reply.Result, StringComparison.Ordinal);
        Assert.Contains("'set-power'", reply.Result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ping", true)]
    [InlineData("get-status", true)]
    [InlineData("set-power", false)]
    [InlineData("set-mode", false)]
    [InlineData("open-door", false)]
    public void AnswersItself_OnlyForTheModulesOwnCommands_When_WithoutDefect(string name, bool itself) =>
        Assert.Equal(itself, new ProcessorRelay(Port(), _ => { }, ModuleDefect.None).AnswersItself(name));

    [Fact]
    public void AnswersItself_AlsoForTheBodysCommands_When_TheDefectIsOn() =>
        Assert.True(new ProcessorRelay(Port(), _ => { }, ModuleDefect.AnswerBodyCommandsItself).AnswersItself("set-power"));
}
