using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Bench;

/// <summary>
/// The rig standing as the device's processor (docs/protocol.md §7.7) on the relay link between the module and chip 1,
/// with chip 1's model id as its address: it hands the module its network config (PROVISION), holds the device body's
/// state (power, operating, mode), runs the body's commands the module hands it (CONTROL → CONTROL_REPLY, each command
/// id once), reports the body's state (BODY_STATUS) and answers the OTA instructions the module relays (OTA_NOTICE →
/// ACCEPT, or BUSY while the body operates). A chip 1 of protocol 1.0 or 1.1 ignores these frames, so on a bench the
/// rig answers them in its place. The same on a virtual bench and a hardware one: only the relay link is used.
/// </summary>
public sealed class RigProcessor : IDisposable
{
    /// <summary>How long the module has to answer PROVISION (the protocol asks for 100 ms; a real module may be busy joining).</summary>
    public static readonly TimeSpan ProvisionAnswerTimeout = TimeSpan.FromSeconds(5);

    private readonly IBench _bench;
    private readonly RelayLink _link;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ControlReplyPayload> _replies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool Ok, string Result)> _scripted = new(StringComparer.Ordinal);
    private readonly List<ControlPayload> _controls = new();
    private readonly List<(OtaNoticePayload Notice, OtaAnswer? Answer)> _notices = new();
    private readonly Dictionary<string, int> _runs = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte _sequence = 0x50;
    private bool _disposed;

    /// <summary>
    /// Attaches to the relay above the module's first chip; a wiring where that link is not a relay gets one message
    /// naming the bench, the link and what it needs.
    /// </summary>
    public RigProcessor(IBench bench)
    {
        _bench = bench;
        var first = bench.Wiring.Children(ModuleWiring.Name).FirstOrDefault()
            ?? throw new InvalidOperationException($"bench '{bench.Wiring.Name}' has no chip on the module's UART, so there is no processor to stand in for");
        _link = bench.RelaysByChip.TryGetValue(first, out var relay) ? relay
            : throw new InvalidOperationException($"bench '{bench.Wiring.Name}': the link between the module and {first} is not a relay link (wiring: rig: relay), so the rig cannot stand as the device's processor on it (docs/protocol.md §7.7)");
        Address = bench.Wiring.Chips.First(c => c.Name == first).ModelId;
        _link.Observed += OnObserved;
    }

    /// <summary>The processor's address: chip 1's model id.</summary>
    public byte Address { get; }

    /// <summary>The device body's power (set-power; on at start).</summary>
    public bool PowerOn { get; private set; } = true;

    /// <summary>Whether the device body is operating: OTA_NOTICE is answered BUSY while it is.</summary>
    public bool Operating { get; private set; }

    /// <summary>The device body's mode name (set-mode; "normal" at start).</summary>
    public string Mode { get; private set; } = "normal";

    /// <summary>While true the processor answers nothing (CONTROL and OTA_NOTICE are only recorded), as one without protocol 1.2.</summary>
    public bool Silent { get; set; }

    /// <summary>Every CONTROL the processor received, repeats included.</summary>
    public IReadOnlyList<ControlPayload> Controls { get { lock (_gate) return _controls.ToList(); } }

    /// <summary>Every OTA_NOTICE the processor received, with its answer (null: none sent).</summary>
    public IReadOnlyList<(OtaNoticePayload Notice, OtaAnswer? Answer)> Notices { get { lock (_gate) return _notices.ToList(); } }

    /// <summary>How many times the processor ran the command of this id (a repeat is answered, not run).</summary>
    public int Runs(string commandId)
    {
        lock (_gate) return _runs.GetValueOrDefault(commandId);
    }

    /// <summary>From now on, the command of this name is answered with this result instead of being run.</summary>
    public void Script(string name, bool ok, string result)
    {
        lock (_gate) _scripted[name] = (ok, result);
    }

    /// <summary>Sets the operating flag (and the mode, when given) and reports the body's state (BODY_STATUS).</summary>
    public void SetOperating(bool operating, string? mode = null)
    {
        lock (_gate)
        {
            Operating = operating;
            Mode = mode ?? Mode;
        }
        ReportStatus();
    }

    /// <summary>Sends BODY_STATUS with the body's state now (docs/protocol.md §5.14).</summary>
    public void ReportStatus()
    {
        var status = new BodyStatusPayload(PowerOn, Operating, Mode);
        Send(MessageType.BodyStatus, status.Encode());
        _bench.Timeline.Add("processor", "body-status", $"power {(PowerOn ? "on" : "off")}, {(Operating ? "operating" : "not operating")}, mode '{Mode}'");
    }

    /// <summary>Sends PROVISION and returns the module's PROVISION_ACK; <see cref="TimeoutException"/> when none comes within <see cref="ProvisionAnswerTimeout"/>.</summary>
    public async Task<ProvisionAckPayload> ProvisionAsync(ProvisionPayload provision, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<ProvisionAckPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAck(LinkObservation o)
        {
            if (o.Direction == Direction.Downstream && o.Item is DecodedFrame { Frame: { Type: MessageType.ProvisionAck } f }
                && ProvisionAckPayload.TryDecode(f.Payload, out _) is { } payload)
            {
                ack.TrySetResult(payload);
            }
        }
        _link.Observed += OnAck;
        try
        {
            Send(MessageType.Provision, provision.Encode());
            try
            {
                return await ack.Task.WaitAsync(ProvisionAnswerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the module did not answer PROVISION within {ProvisionAnswerTimeout.TotalSeconds:0} s (docs/protocol.md §5.11 asks for 100 ms)");
            }
        }
        finally
        {
            _link.Observed -= OnAck;
        }
    }

    /// <summary>Waits for a CONTROL matching <paramref name="match"/> (one already received counts).</summary>
    public Task<ControlPayload> WaitForControlAsync(Func<ControlPayload, bool> match, string what, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(() => _controls.FirstOrDefault(match), what, timeout, cancellationToken);

    /// <summary>Waits until <paramref name="count"/> OTA_NOTICEs matching <paramref name="match"/> (notice and the answer given) were received, and returns the last.</summary>
    public Task<(OtaNoticePayload Notice, OtaAnswer? Answer)?> WaitForNoticeAsync(Func<OtaNoticePayload, OtaAnswer?, bool> match, int count, string what, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync<(OtaNoticePayload Notice, OtaAnswer? Answer)?>(() =>
        {
            var seen = _notices.Where(n => match(n.Notice, n.Answer)).ToList();
            return seen.Count >= count ? seen[^1] : null;
        }, what, timeout, cancellationToken);

    private async Task<T> WaitAsync<T>(Func<T?> find, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (find() is { } found)
                {
                    return found;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the processor received no {what} within {timeout.TotalSeconds:0.#} s");
            }
        }
    }

    private void OnObserved(LinkObservation o)
    {
        if (o.Direction != Direction.Downstream || o.Item is not DecodedFrame { Frame: var frame }
            || (frame.Destination != Address && frame.Destination != Protocol.Framing.Address.Broadcast))
        {
            return;
        }
        // Answered off the relay's pump: the answer goes the other way through the same link.
        if (frame.Type == MessageType.Control && ControlPayload.TryDecode(frame.Payload, out _) is { } control)
        {
            _ = Task.Run(() => OnControl(control));
        }
        else if (frame.Type == MessageType.OtaNotice && OtaNoticePayload.TryDecode(frame.Payload, out _) is { } notice)
        {
            _ = Task.Run(() => OnNotice(notice));
        }
    }

    private void OnControl(ControlPayload control)
    {
        ControlReplyPayload? reply;
        var changed = false;
        lock (_gate)
        {
            _controls.Add(control);
            if (Silent)
            {
                reply = null;
            }
            else if (_replies.TryGetValue(control.CommandId, out var first))
            {
                // A command id runs once (docs/protocol.md §5.12): the repeat gets the first run's reply.
                reply = first;
            }
            else
            {
                _runs[control.CommandId] = _runs.GetValueOrDefault(control.CommandId) + 1;
                reply = Run(control, out changed);
                _replies[control.CommandId] = reply;
            }
            Signal();
        }
        _bench.Timeline.Add("processor", "control", $"CONTROL {control.CommandId} {control.Name} '{control.Argument}': "
            + (reply is null ? "not answered (the processor is silent)" : $"ok={reply.Ok} '{reply.Result}'"));
        if (reply is null)
        {
            return;
        }
        if (changed)
        {
            // The body's new state goes out before the reply (docs/protocol.md §5.14).
            ReportStatus();
        }
        Send(MessageType.ControlReply, reply.Encode());
    }

    private ControlReplyPayload Run(ControlPayload control, out bool changed)
    {
        changed = false;
        if (_scripted.TryGetValue(control.Name, out var scripted))
        {
            return new ControlReplyPayload(control.CommandId, scripted.Ok, scripted.Result);
        }
        switch (control.Name)
        {
            case "set-power" when control.Argument is "on" or "off":
                changed = PowerOn != (control.Argument == "on");
                PowerOn = control.Argument == "on";
                return new ControlReplyPayload(control.CommandId, true, $"power {control.Argument}");
            case "set-power":
                return new ControlReplyPayload(control.CommandId, false, $"set-power takes 'on' or 'off', not '{control.Argument}'");
            case "set-mode" when control.Argument.Length is > 0 and <= BodyStatusPayload.MaxModeBytes:
                changed = Mode != control.Argument;
                Mode = control.Argument;
                return new ControlReplyPayload(control.CommandId, true, $"mode {control.Argument}");
            case "set-mode":
                return new ControlReplyPayload(control.CommandId, false, $"set-mode takes a mode name of 1 to {BodyStatusPayload.MaxModeBytes} bytes");
            default:
                return new ControlReplyPayload(control.CommandId, false, $"unknown command '{control.Name}'");
        }
    }

    private void OnNotice(OtaNoticePayload notice)
    {
        OtaAnswer? answer;
        lock (_gate)
        {
            answer = Silent ? null : Operating ? OtaAnswer.Busy : OtaAnswer.Accept;
            _notices.Add((notice, answer));
            Signal();
        }
        var what = notice.Kind == OtaNoticeKind.Module ? "the module's own upgrade" : $"chip campaign {notice.NoticeId}";
        _bench.Timeline.Add("processor", "ota-notice", $"OTA_NOTICE {notice.NoticeId} for {what} ({string.Join(", ", notice.Images.Select(i => $"0x{i.ModelId:X2} {i.Version}"))}): "
            + (answer is { } a ? a.ToString().ToUpperInvariant() : "not answered (the processor is silent)"));
        if (answer is { } given)
        {
            Send(MessageType.OtaAnswer, new OtaAnswerPayload(notice.NoticeId, given).Encode());
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private void Send(MessageType type, byte[] payload)
    {
        byte sequence;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            sequence = _sequence++;
        }
        _link.Inject(new Frame(type, Protocol.Framing.Address.Module, Address, sequence, payload), Direction.Upstream);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _link.Observed -= OnObserved;
        lock (_gate) _disposed = true;
    }
}
