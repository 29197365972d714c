using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Scenarios.Drivers;

/// <summary>A START, START_ACK or DATA frame seen on the link between the module and the first chip, in the order it passed.</summary>
/// <param name="Type">The frame's type.</param>
/// <param name="Target">START: the target; DATA: the chip it is for; START_ACK: the answering chip.</param>
/// <param name="Answers">START_ACK: every answer it carries (the answering chip's own first).</param>
/// <param name="Collection">START_ACK: its collection status.</param>
public sealed record ModuleLinkFrame(MessageType Type, byte Target, IReadOnlyList<StartAnswer> Answers, StartStatus Collection);

/// <summary>
/// Records, in order, the START, START_ACK and DATA frames on the link right below the module (the rig relays it), so a
/// scenario can tell from the wire alone whether the module waited for every chip's START answer before it sent image data.
/// </summary>
public sealed class ModuleLinkRecorder(BenchDriver bench) : IDisposable
{
    private readonly List<ModuleLinkFrame> _frames = new();
    private (RelayLink Relay, Action<LinkObservation> Handler)? _subscription;

    /// <summary>Starts recording; the bench must be running and its first link relayed.</summary>
    public void Start()
    {
        var first = bench.Wiring.Children(ModuleWiring.Name).Single();
        if (!bench.Bench.RelaysByChip.TryGetValue(first, out var relay))
        {
            throw new InvalidOperationException($"the link above {first} is not relayed by the rig (wiring: rig: relay), so its frames cannot be recorded");
        }
        Action<LinkObservation> handler = OnObserved;
        relay.Observed += handler;
        _subscription = (relay, handler);
    }

    /// <summary>What was recorded so far.</summary>
    public IReadOnlyList<ModuleLinkFrame> Frames
    {
        get
        {
            lock (_frames) return _frames.ToList();
        }
    }

    private void OnObserved(LinkObservation o)
    {
        if (o.Item is not DecodedFrame { Frame: var f })
        {
            return;
        }
        ModuleLinkFrame? seen = f.Type switch
        {
            MessageType.Start when o.Direction == Direction.Downstream && StartPayload.TryDecode(f.Payload, out _) is { } s
                => new ModuleLinkFrame(f.Type, s.Target, [], StartStatus.Ok),
            MessageType.StartAck when o.Direction == Direction.Upstream && StartAckPayload.TryDecode(f.Payload, out _) is { } a
                => new ModuleLinkFrame(f.Type, a.Chip, a.Answers, a.Collection),
            MessageType.Data when o.Direction == Direction.Downstream => new ModuleLinkFrame(f.Type, f.Destination, [], StartStatus.Ok),
            _ => null,
        };
        if (seen is not null)
        {
            lock (_frames) _frames.Add(seen);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_subscription is { } s)
        {
            s.Relay.Observed -= s.Handler;
            _subscription = null;
        }
    }
}
