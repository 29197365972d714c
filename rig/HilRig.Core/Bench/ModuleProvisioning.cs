using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Cloud;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Bench;

/// <summary>
/// The processor's PROVISION (docs/protocol.md §5.10), sent by the rig for chip 1 on the relay between the module and
/// chip 1: how a module with factory settings is handed the bench network (SSID, passphrase, server id) without
/// reflashing, as seed 000's processor does.
/// </summary>
public static class ModuleProvisioning
{
    /// <summary>How long the module has to answer (the protocol asks for 100 ms; a real module may be busy joining).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Sends PROVISION and returns the module's PROVISION_ACK; <see cref="TimeoutException"/> when none comes within <see cref="AnswerTimeout"/>.</summary>
    public static async Task<ProvisionAckPayload> ProvisionAsync(IBench bench, ProvisionPayload provision, CancellationToken cancellationToken)
    {
        var first = bench.Wiring.Children(ModuleWiring.Name)[0];
        var link = bench.RelaysByChip.TryGetValue(first, out var relay) ? relay
            : throw new InvalidOperationException($"the link above {first} is not a relay link, so the rig cannot speak for the processor on it");
        var chip1 = bench.Wiring.Chips.First(c => c.Name == first);
        var ack = new TaskCompletionSource<ProvisionAckPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnObserved(LinkObservation o)
        {
            if (o.Direction == Direction.Downstream && o.Item is DecodedFrame { Frame: { Type: MessageType.ProvisionAck } f }
                && ProvisionAckPayload.TryDecode(f.Payload, out _) is { } payload)
            {
                ack.TrySetResult(payload);
            }
        }
        link.Observed += OnObserved;
        try
        {
            link.Inject(new Frame(MessageType.Provision, Address.Module, chip1.ModelId, 0x50, provision.Encode()), Direction.Upstream);
            try
            {
                return await ack.Task.WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the module did not answer PROVISION within {AnswerTimeout.TotalSeconds:0} s (docs/protocol.md §5.11 asks for 100 ms)");
            }
        }
        finally
        {
            link.Observed -= OnObserved;
        }
    }
}
