using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Verification;

/// <summary>
/// Counts the image bytes the module put on the line for each chip, as the rig sees them leave the
/// module on the first relay link, so re-sent bytes are counted however many times the module restarts.
/// </summary>
public sealed class TransferAccounting : IDisposable
{
    private readonly RelayLink _relay;
    private readonly Dictionary<byte, long> _sent = new();

    /// <summary>Starts counting on the module's link of <paramref name="bench"/>.</summary>
    public TransferAccounting(VirtualBench bench)
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
        lock (_sent)
        {
            _sent[f.Destination] = _sent.GetValueOrDefault(f.Destination) + data.Bytes.Length;
        }
    }

    /// <summary>Image bytes sent to <paramref name="chip"/> in all.</summary>
    public long BytesSent(byte chip)
    {
        lock (_sent) return _sent.GetValueOrDefault(chip);
    }

    /// <inheritdoc />
    public void Dispose() => _relay.Observed -= OnObserved;
}
