using System.IO.Ports;
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
    private readonly SerialPort _near;
    private readonly SerialPort _far;
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
        _near = OpenPort(nearPath, baudRate);
        _far = OpenPort(farPath, baudRate);
    }

    /// <summary>The link's name, "upstream-downstream" node names.</summary>
    public string Name { get; }

    /// <summary>Faults armed on the downstream direction (towards the farther chip).</summary>
    public LinkFaults Downstream { get; } = new();

    /// <summary>Faults armed on the upstream direction (towards the module).</summary>
    public LinkFaults Upstream { get; } = new();

    /// <summary>The faults of one direction.</summary>
    public LinkFaults Faults(Direction direction) => direction == Direction.Downstream ? Downstream : Upstream;

    /// <summary>Raised for everything the relay sees, on its reader tasks.</summary>
    public event Action<LinkObservation>? Observed;

    private static SerialPort OpenPort(string path, int baud) => new(path, baud, Parity.None, 8, StopBits.One)
    {
        Handshake = Handshake.None,
        ReadBufferSize = 1 << 16,
        WriteBufferSize = 1 << 16,
    };

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
            port.BaseStream.Write(bytes);
        }
        _timeline.Add(Name, "inject", FrameSummary.Describe(frame), direction.ToString().ToLowerInvariant());
    }

    /// <summary>Sends raw bytes of the rig's own (for example garbage) into the link, between forwarded frames.</summary>
    public void InjectRaw(byte[] bytes, Direction direction)
    {
        var (port, gate) = direction == Direction.Downstream ? (_far, _farWrite) : (_near, _nearWrite);
        lock (gate)
        {
            port.BaseStream.Write(bytes);
        }
        _timeline.Add(Name, "inject", $"{bytes.Length} raw byte(s)", direction.ToString().ToLowerInvariant(),
            Convert.ToHexString(bytes.AsSpan(0, Math.Min(64, bytes.Length))));
    }

    private async Task PumpAsync(SerialPort from, SerialPort to, Lock gate, Direction direction)
    {
        var decoder = new FrameDecoder();
        var buffer = new byte[4096];
        var dir = direction.ToString().ToLowerInvariant();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await from.BaseStream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                var faults = Faults(direction);
                foreach (var item in decoder.Feed(buffer.AsSpan(0, n)))
                {
                    var consumed = item is DecodedFrame { Frame.Destination: Address.Rig };
                    if (!consumed)
                    {
                        var (verdict, bytes, what) = faults.Apply(item);
                        if (what is not null)
                        {
                            var described = item is DecodedFrame df ? FrameSummary.Describe(df.Frame) : $"{item.Raw.Length} byte(s)";
                            _timeline.Add(Name, "fault", $"{described} {what}", dir);
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
                                to.BaseStream.Write(bytes);
                            }
                        }
                    }
                    if (item is DecodedFrame frame)
                    {
                        var hex = frame.Frame.Type == MessageType.Data ? null : Convert.ToHexString(frame.Raw);
                        _timeline.Add(Name, "frame", FrameSummary.Describe(frame.Frame), dir, hex);
                    }
                    else if (item is SkippedBytes skipped)
                    {
                        _timeline.Add(Name, "garbage", $"{skipped.Raw.Length} byte(s) not a valid frame: {skipped.Reason}", dir,
                            Convert.ToHexString(skipped.Raw.AsSpan(0, Math.Min(64, skipped.Raw.Length))));
                    }
                    Observed?.Invoke(new LinkObservation(Name, direction, item, _timeline.NowMs));
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
