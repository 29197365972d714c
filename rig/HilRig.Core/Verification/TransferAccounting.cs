using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Verification;

/// <summary>
/// Counts the image bytes the module put on the line for each chip, as the rig sees them leave the
/// module on the first relay link, so re-sent bytes are counted however many times the module restarts.
/// </summary>
/// <remarks>
/// Two figures per chip: every byte sent (<see cref="BytesSent"/>), and the image bytes sent more than once,
/// each counted once however often it was repeated (<see cref="BytesSentAgain"/>). The second is what
/// docs/protocol.md §7.3 bounds: after a fault the sender resumes at most one window behind what it had sent,
/// so the span it sends twice is at most one window per fault. The module's retries into a chip that is still
/// off, or that a loaded machine keeps from answering in time, repeat bytes of that same span and do not widen it.
/// </remarks>
public sealed class TransferAccounting : IDisposable
{
    private readonly RelayLink _relay;
    private readonly Dictionary<byte, ImageCoverage> _byChip = new();

    /// <summary>Starts counting on the module's link of <paramref name="bench"/>.</summary>
    public TransferAccounting(IBench bench)
    {
        _relay = bench.RelaysByChip[bench.Wiring.Children(Wiring.ModuleWiring.Name)[0]];
        _relay.Observed += OnObserved;
    }

    private void OnObserved(LinkObservation o)
    {
        if (o.Direction != Direction.Downstream || o.Item is not DecodedFrame { Frame: { Type: MessageType.Data } f }
            || DataPayload.TryDecode(f.Payload, out _) is not { } data)
        {
            return;
        }
        lock (_byChip)
        {
            if (!_byChip.TryGetValue(f.Destination, out var coverage))
            {
                _byChip[f.Destination] = coverage = new ImageCoverage();
            }
            coverage.Add(data.Offset, data.Bytes.Length);
        }
    }

    /// <summary>Image bytes sent to <paramref name="chip"/> in all.</summary>
    public long BytesSent(byte chip)
    {
        lock (_byChip) return _byChip.TryGetValue(chip, out var c) ? c.Sent : 0;
    }

    /// <summary>Image bytes sent to <paramref name="chip"/> more than once, each counted once.</summary>
    public long BytesSentAgain(byte chip)
    {
        lock (_byChip) return _byChip.TryGetValue(chip, out var c) ? c.SentAgain : 0;
    }

    /// <inheritdoc />
    public void Dispose() => _relay.Observed -= OnObserved;
}
