using HilRig.Bench.Module;

namespace HilRig.Bench.Tests.Support;

/// <summary>
/// The module's port wired straight to one emulated chip (no ptys, no line time): every frame the module sends
/// reaches the chip at once unless the chip is off or <see cref="LoseOnTheWayDown"/> drops it; the chip's upstream
/// frames queue for the module. Counts the image bytes sent and those sent more than once (docs/protocol.md §7.3).
/// </summary>
internal sealed class LoopbackChain(ChipUnderTest chip) : IChainPort
{
    private readonly ModuleInbox _toModule = new();
    private readonly Dictionary<long, int> _timesSent = new();

    /// <summary>While true the chip has no power: frames sent to it are lost.</summary>
    public bool Off { get; set; }

    /// <summary>Frames lost between the module and the chip (a lossy link), decided per frame.</summary>
    public Func<Frame, bool> LoseOnTheWayDown { get; set; } = _ => false;

    /// <summary>Called with every frame the module sends, before it is delivered (to cut the power at a chosen frame).</summary>
    public Action<Frame>? BeforeDelivery { get; set; }

    /// <summary>DATA frames the module sent.</summary>
    public int DataFrames { get; private set; }

    /// <summary>Image bytes the module sent, repeats included.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Image bytes sent more than once, each counted once.</summary>
    public long BytesSentAgain => _timesSent.Count(b => b.Value > 1);

    public void Send(Frame frame)
    {
        lock (_timesSent)
        {
            if (frame.Type == MessageType.Data && DataPayload.TryDecode(frame.Payload, out _) is { } data)
            {
                DataFrames++;
                BytesSent += data.Bytes.Length;
                for (var i = 0L; i < data.Bytes.Length; i++)
                {
                    _timesSent[data.Offset + i] = _timesSent.GetValueOrDefault(data.Offset + i) + 1;
                }
            }
            BeforeDelivery?.Invoke(frame);
            if (Off || LoseOnTheWayDown(frame))
            {
                return;
            }
            chip.Firmware.Receive(0, new DecodedFrame(frame, frame.Encode()), chip.Now);
            foreach (var sent in chip.Output.TakeAll().Where(s => s.Port == 0))
            {
                _toModule.Put(sent.Frame);
            }
        }
    }

    public ValueTask<Frame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _toModule.ReceiveAsync(timeout, cancellationToken);
}
