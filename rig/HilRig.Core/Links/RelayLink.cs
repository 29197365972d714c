using System.Threading.Channels;
using HilRig.Core.Faults;
using HilRig.Core.Timeline;
using HilRig.Protocol.Framing;

namespace HilRig.Core.Links;

/// <summary>A frame (or skipped bytes) the rig saw on a link.</summary>
public sealed record LinkObservation(string Link, Direction Direction, DecodedItem Item, double AtMs);

/// <summary>
/// The rig sitting in one UART hop with a port on each side: it forwards traffic both ways frame by
/// frame (garbage bytes too, unchanged), decodes it with the protocol codec, writes it to the timeline,
/// and can inject its own frames between forwarded ones. Frames addressed to the rig are consumed here.
/// </summary>
public sealed class RelayLink : IAsyncDisposable
{
    private readonly RigPort _near;
    private readonly RigPort _far;
    private readonly BenchTimeline _timeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = new();
    private readonly Lock _nearWrite = new();
    private readonly Lock _farWrite = new();

    /// <summary>Creates the relay; <paramref name="nearPath"/> faces the module, <paramref name="farPath"/> the farther chip.</summary>
    public RelayLink(string name, string nearPath, string farPath, int baudRate, BenchTimeline timeline)
    {
        Name = name;
        _timeline = timeline;
        _near = new RigPort(nearPath, baudRate);
        _far = new RigPort(farPath, baudRate);
    }

    /// <summary>The link's name, "upstream-downstream" node names.</summary>
    public string Name { get; }

    /// <summary>Faults armed on the downstream direction (towards the farther chip).</summary>
    public LinkFaults Downstream { get; } = new();

    /// <summary>Faults armed on the upstream direction (towards the module).</summary>
    public LinkFaults Upstream { get; } = new();

    /// <summary>The faults of one direction.</summary>
    public LinkFaults Faults(Direction direction) => direction == Direction.Downstream ? Downstream : Upstream;

    /// <summary>Raised for everything the relay sees, on its reader tasks, once it has been forwarded (or dropped).</summary>
    public event Action<LinkObservation>? Observed;

    /// <summary>
    /// Raised for everything the relay sees as soon as it is decoded, before it is forwarded: whoever must know
    /// what a node may have received (the chain observer, for what a chip may have persisted) hears it before
    /// the node can act on it.
    /// </summary>
    public event Action<LinkObservation>? Forwarding;

    /// <summary>Per direction (index: <see cref="Direction"/>), 1 once its sender has restarted, until the pump has acted on it.</summary>
    private readonly int[] _senderRestarted = new int[2];

    /// <summary>
    /// Tells the relay that the node sending in <paramref name="direction"/> is powering on again: a frame it
    /// had half sent when its power went will never end, so before the first byte of its new life the relay
    /// rejects what it holds (docs/protocol.md §3.3). Without this the stale half frame swallows the node's
    /// first frames until the byte count of its length field is reached and the CRC fails.
    /// </summary>
    public void SenderRestarted(Direction direction) =>
        Interlocked.Exchange(ref _senderRestarted[(int)direction], 1);

    /// <summary>Opens both ports and starts forwarding.</summary>
    public void Start()
    {
        _near.Open();
        _far.Open();
        _loops.Add(Task.Run(() => PumpAsync(_near, _far, _farWrite, Direction.Downstream)));
        _loops.Add(Task.Run(() => PumpAsync(_far, _near, _nearWrite, Direction.Upstream)));
    }

    /// <summary>Sends a frame of the rig's own into the link, between forwarded frames.</summary>
    public void Inject(Frame frame, Direction direction)
    {
        var bytes = frame.Encode();
        var (port, gate) = direction == Direction.Downstream ? (_far, _farWrite) : (_near, _nearWrite);
        lock (gate)
        {
            port.Stream.Write(bytes);
        }
        _timeline.AddFrame(Name, TimelineKind.Inject, frame, FrameSummary.Describe(frame), direction.ToString().ToLowerInvariant());
    }

    /// <summary>Sends raw bytes of the rig's own (for example garbage) into the link, between forwarded frames.</summary>
    public void InjectRaw(byte[] bytes, Direction direction)
    {
        var (port, gate) = direction == Direction.Downstream ? (_far, _farWrite) : (_near, _nearWrite);
        lock (gate)
        {
            port.Stream.Write(bytes);
        }
        _timeline.Add(Name, "inject", $"{bytes.Length} raw byte(s)", direction.ToString().ToLowerInvariant(),
            Convert.ToHexString(bytes.AsSpan(0, Math.Min(64, bytes.Length))));
    }

    private const string StaleReason = "a frame cut short by its sender's power loss, dropped by the relay";

    /// <summary>
    /// Reads one direction and decodes it. Frames addressed to the rig are consumed (and observed) at once;
    /// everything else goes, in order, to that direction's forwarder, which alone waits on held and delayed
    /// faults. So a hold around a power cut never keeps a chip's answer to the rig waiting behind device frames.
    /// </summary>
    private async Task PumpAsync(RigPort from, RigPort to, Lock gate, Direction direction)
    {
        var decoder = new FrameDecoder();
        var buffer = new byte[4096];
        var dir = direction.ToString().ToLowerInvariant();
        var outgoing = Channel.CreateUnbounded<DecodedItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var forwarder = Task.Run(() => ForwardAsync(outgoing.Reader, to, gate, direction, dir));
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await from.Stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                var restarted = Interlocked.Exchange(ref _senderRestarted[(int)direction], 0) == 1;
                // The half frame a sender left when its power went is dropped here, not forwarded: the node
                // beyond lost it too (or, cut alone, would otherwise wait on it for frames to come).
                IReadOnlyList<DecodedItem> stale = restarted && decoder.PendingBytes > 0 ? decoder.RejectPending(StaleReason) : [];
                foreach (var item in stale.Concat(decoder.Feed(buffer.AsSpan(0, n))))
                {
                    Forwarding?.Invoke(new LinkObservation(Name, direction, item, _timeline.NowMs));
                    var consumed = item is DecodedFrame { Frame.Destination: Address.Rig }
                        || (item is SkippedBytes && stale.Contains(item));
                    if (consumed)
                    {
                        Record(item, direction, dir);
                    }
                    else
                    {
                        outgoing.Writer.TryWrite(item);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _timeline.Add(Name, "error", $"relay {dir} stopped: {ex.Message}");
            }
        }
        finally
        {
            outgoing.Writer.TryComplete();
            await forwarder.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Forwards one direction's items in the order they came, applying that direction's faults.</summary>
    private async Task ForwardAsync(ChannelReader<DecodedItem> items, RigPort to, Lock gate, Direction direction, string dir)
    {
        var faults = Faults(direction);
        try
        {
            await foreach (var item in items.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var (verdict, bytes, what) = faults.Apply(item);
                if (what is not null)
                {
                    if (item is DecodedFrame df)
                    {
                        _timeline.AddFrame(Name, TimelineKind.Fault, df.Frame, $"{FrameSummary.Describe(df.Frame)} {what}", dir);
                    }
                    else
                    {
                        _timeline.Add(Name, TimelineKind.Fault, $"{item.Raw.Length} byte(s) {what}", dir);
                    }
                }
                await faults.WhileHeldAsync().WaitAsync(_stop.Token).ConfigureAwait(false);
                if (faults.CurrentDelay > TimeSpan.Zero)
                {
                    await Task.Delay(faults.CurrentDelay, _stop.Token).ConfigureAwait(false);
                }
                if (verdict == LinkVerdict.Forward)
                {
                    lock (gate)
                    {
                        to.Stream.Write(bytes);
                    }
                }
                Record(item, direction, dir);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _timeline.Add(Name, "error", $"relay {dir} stopped forwarding: {ex.Message}");
            }
        }
    }

    /// <summary>Writes an item to the timeline and raises <see cref="Observed"/> for it.</summary>
    private void Record(DecodedItem item, Direction direction, string dir)
    {
        if (item is DecodedFrame frame)
        {
            var hex = frame.Frame.Type == MessageType.Data ? null : Convert.ToHexString(frame.Raw);
            _timeline.AddFrame(Name, TimelineKind.Frame, frame.Frame, FrameSummary.Describe(frame.Frame), dir, hex);
        }
        else if (item is SkippedBytes skipped)
        {
            _timeline.Add(Name, "garbage", $"{skipped.Raw.Length} byte(s) not a valid frame: {skipped.Reason}", dir,
                Convert.ToHexString(skipped.Raw.AsSpan(0, Math.Min(64, skipped.Raw.Length))));
        }
        Observed?.Invoke(new LinkObservation(Name, direction, item, _timeline.NowMs));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _near.Dispose();
        _far.Dispose();
        foreach (var loop in _loops)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }
}
