using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Core.Verification;

/// <summary>What the rig knows of one chip at one moment, from the traffic it saw.</summary>
/// <param name="Chip">Chip name.</param>
/// <param name="AcceptableModes">Modes the chip may have persisted: the one its own frames confirmed, plus one it was told to enter but had not confirmed yet.</param>
/// <param name="AckedPersistedOffset">Highest persisted offset the chip acknowledged in its current transfer.</param>
/// <param name="ImageSizeBytes">Size of the image of its current transfer, when it is a target.</param>
public sealed record ChipExpectation(string Chip, IReadOnlySet<ChipMode> AcceptableModes, uint AckedPersistedOffset, uint? ImageSizeBytes);

/// <summary>
/// Follows every relay link and keeps, per chip, the mode its own frames prove it entered (a chip writes
/// its mark before it answers, docs/protocol.md §9.2) and the offset it acknowledged as persisted. A
/// mode it was told to enter (a START or COMPLETE sent to it) counts as possible until the chip's own
/// output confirms it. This is all the rig needs to say which mode each chip must come back in.
/// </summary>
public sealed class ChainObserver : IDisposable
{
    private sealed class ChipState
    {
        public ChipMode Confirmed = ChipMode.Initial;
        public ChipMode? Pending;
        public uint AckedPersisted;
        public uint? ImageSize;
        public uint DoneCampaign;
        public List<(double AtMs, ChipMode Mode)> History { get; } = new();
    }

    private readonly IBench _bench;
    private readonly Dictionary<string, ChipState> _chips = new();
    private readonly Dictionary<byte, string> _byId = new();
    private readonly List<(RelayLink Relay, Action<LinkObservation> Handler)> _handlers = new();
    private readonly Lock _gate = new();
    private readonly List<(string Chip, double AtMs, StartAckPayload Ack)> _startAcks = new();

    /// <summary>Raised (under the observer's lock) for every START_ACK a chip sends.</summary>
    private event Action<string, StartAckPayload>? StartAcknowledged;

    /// <summary>Starts observing every relay link of <paramref name="bench"/>.</summary>
    public ChainObserver(IBench bench)
    {
        _bench = bench;
        foreach (var chip in bench.Wiring.Chips)
        {
            _chips[chip.Name] = new ChipState();
            _byId[chip.ModelId] = chip.Name;
        }
        foreach (var (below, relay) in bench.RelaysByChip)
        {
            var above = bench.Wiring.Parent(below);
            Action<LinkObservation> handler = o => Observe(above, below, o);
            relay.Forwarding += handler;
            _handlers.Add((relay, handler));
        }
    }

    /// <summary>What the rig expects of every chip if the power went now.</summary>
    public IReadOnlyDictionary<string, ChipExpectation> Snapshot()
    {
        lock (_gate)
        {
            return _chips.ToDictionary(c => c.Key, c => Expectation(c.Key, c.Value));
        }
    }

    /// <summary>
    /// The first START_ACK <paramref name="chip"/> sends after <paramref name="afterMs"/>, or null when none
    /// comes within <paramref name="timeout"/>: after a power cut it says where the target resumes.
    /// </summary>
    public async Task<StartAckPayload?> NextStartAckAsync(string chip, double afterMs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var next = new TaskCompletionSource<StartAckPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAck(string c, StartAckPayload ack)
        {
            if (c == chip) next.TrySetResult(ack);
        }
        lock (_gate)
        {
            var seen = _startAcks.FirstOrDefault(a => a.Chip == chip && a.AtMs >= afterMs);
            if (seen.Ack is not null) return seen.Ack;
            StartAcknowledged += OnAck;
        }
        try
        {
            return await next.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            lock (_gate) StartAcknowledged -= OnAck;
        }
    }

    /// <summary>Modes a chip's own frames confirmed after <paramref name="sinceMs"/> (timeline time).</summary>
    public IReadOnlySet<ChipMode> ConfirmedSince(string chip, double sinceMs)
    {
        lock (_gate)
        {
            return _chips[chip].History.Where(h => h.AtMs >= sinceMs).Select(h => h.Mode).ToHashSet();
        }
    }

    private static ChipExpectation Expectation(string name, ChipState s)
    {
        var modes = new HashSet<ChipMode> { s.Confirmed };
        if (s.Pending is { } pending) modes.Add(pending);
        return new ChipExpectation(name, modes, s.AckedPersisted, s.ImageSize);
    }

    private void Observe(string above, string below, LinkObservation o)
    {
        if (o.Item is not DecodedFrame { Frame: var f })
        {
            return;
        }
        lock (_gate)
        {
            if (o.Direction == Direction.Upstream)
            {
                OnOutputOf(below, f, o.AtMs, fromBelow: f.Source != _bench.Wiring.Chip(below).ModelId);
                if (above != Wiring.ModuleWiring.Name && f.Type == MessageType.Complete)
                {
                    // A COMPLETE coming up from below reaches the upper chip too.
                    _chips[above].Pending = ModeMachine.Next(_chips[above].Confirmed, ModeEvent.Complete);
                }
            }
            else
            {
                OnInputTo(below, f);
                if (above != Wiring.ModuleWiring.Name)
                {
                    // Anything the upper chip sends down is its own output too: it passes START and
                    // COMPLETE on only after acting on them.
                    OnForwardedDown(above, f, o.AtMs);
                }
            }
        }
    }

    private void Confirm(string chip, ChipMode mode, double atMs, bool changedByTraffic = true)
    {
        var s = _chips[chip];
        s.Confirmed = mode;
        s.Pending = null;
        if (changedByTraffic)
        {
            // Only a mode the chip entered because of traffic after a fault may widen what is accepted
            // after it; a STATUS answer merely reports the mode and must not excuse itself.
            s.History.Add((atMs, mode));
        }
    }

    private void OnOutputOf(string chip, Frame f, double atMs, bool fromBelow)
    {
        var s = _chips[chip];
        if (fromBelow)
        {
            // The chip passed a COMPLETE up: it acted on it first.
            if (f.Type == MessageType.Complete) Confirm(chip, ModeMachine.Next(s.Confirmed, ModeEvent.Complete), atMs);
            return;
        }
        switch (f.Type)
        {
            case MessageType.StartAck when StartAckPayload.TryDecode(f.Payload, out _) is { } ack:
                _startAcks.Add((chip, atMs, ack));
                StartAcknowledged?.Invoke(chip, ack);
                if (ack.Status is StartStatus.Ok or StartStatus.AlreadyUpgraded)
                {
                    Confirm(chip, ack.Mode, atMs);
                    if (ack.Mode == ChipMode.Upgrade) s.AckedPersisted = ack.ResumeOffset;
                }
                break;
            case MessageType.DataAck when DataAckPayload.TryDecode(f.Payload, out _) is { } ack && ack.Status == DataStatus.Ok:
                s.AckedPersisted = Math.Max(s.AckedPersisted, ack.Persisted);
                if (s.ImageSize is { } size && ack.Persisted >= size)
                {
                    // Verification and activation follow at once: the chip may already be INITIAL.
                    s.Pending = ModeMachine.Next(ChipMode.Upgrade, ModeEvent.TransferEnded);
                }
                break;
            case MessageType.Complete when CompletePayload.TryDecode(f.Payload, out _) is { } complete:
                // The sender of a COMPLETE ended its transfer, or answered ALREADY_UPGRADED: INITIAL either way.
                Confirm(chip, ModeMachine.Next(ChipMode.Upgrade, ModeEvent.TransferEnded), atMs);
                if (complete.Status == CompleteStatus.Activated) s.DoneCampaign = complete.CampaignId;
                s.AckedPersisted = 0;
                break;
            case MessageType.StatusResponse when StatusPayload.TryDecode(f.Payload, out _) is { } status:
                if (s.Pending is null || s.Pending == status.Mode) Confirm(chip, status.Mode, atMs, changedByTraffic: false);
                break;
        }
    }

    private void OnInputTo(string chip, Frame f)
    {
        var s = _chips[chip];
        if (s.Confirmed == ChipMode.Sleep && f.Type != MessageType.Complete)
        {
            return;
        }
        if (f.Type == MessageType.Start && StartPayload.TryDecode(f.Payload, out _) is { } start)
        {
            var me = _bench.Wiring.Chip(chip).ModelId;
            if (start.Target == me)
            {
                s.Pending = ModeMachine.Next(s.Confirmed, ModeEvent.StartForMe);
                s.ImageSize = ImageHeader.TryDecode(start.ImageHeader, out _)?.ImageSizeBytes;
            }
            else
            {
                s.Pending = ModeMachine.Next(s.Confirmed, s.DoneCampaign == start.CampaignId && s.DoneCampaign != 0 ? ModeEvent.StartForOtherDoneHere : ModeEvent.StartForOther);
            }
        }
        else if (f.Type == MessageType.Complete)
        {
            s.Pending = ModeMachine.Next(s.Confirmed, ModeEvent.Complete);
        }
        else if (f.Type == MessageType.Data && s.ImageSize is { } size && DataPayload.TryDecode(f.Payload, out _) is { } data
            && data.Offset + data.Bytes.Length >= size && f.Destination == _bench.Wiring.Chip(chip).ModelId)
        {
            // The last bytes reached the target: it may verify and activate before its DATA_ACK is seen.
            s.Pending = ModeMachine.Next(ChipMode.Upgrade, ModeEvent.TransferEnded);
        }
    }

    private void OnForwardedDown(string chip, Frame f, double atMs)
    {
        var s = _chips[chip];
        if (f.Type == MessageType.Complete)
        {
            Confirm(chip, ModeMachine.Next(s.Confirmed, ModeEvent.Complete), atMs);
        }
        else if (f.Type == MessageType.Start && s.Pending is { } pending)
        {
            Confirm(chip, pending, atMs);
        }
    }

    /// <summary>The chip name of a model id.</summary>
    public string NameOf(byte modelId) => _byId.TryGetValue(modelId, out var n) ? n : $"0x{modelId:X2}";

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (relay, handler) in _handlers) relay.Forwarding -= handler;
    }
}
