using System.Diagnostics;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Scenarios.Drivers;

/// <summary>One thing a chip put on one of its ports after the rig's frame, as the relay on that port saw it.</summary>
public sealed record PortOutput(Direction Direction, DecodedItem Item, double AfterMs);

/// <summary>
/// Drives one chip with frames the rig injects on either of its sides and watches both sides: the relay above the chip
/// sees what it sends upstream, the relays below it see what it sends on each downstream port (docs/protocol.md §12).
/// </summary>
public sealed class ConformanceDriver(BenchDriver bench)
{
    private readonly List<PortOutput> _outputs = new();
    private readonly List<(RelayLink Relay, Action<LinkObservation> Handler)> _watching = new();
    private readonly Stopwatch _since = new();

    /// <summary>The chip under test, once a frame was sent to it.</summary>
    public string? Chip { get; private set; }

    /// <summary>The bytes the rig sent last.</summary>
    public byte[] Sent { get; private set; } = [];

    /// <summary>Everything the chip put on its ports since the rig's last frame.</summary>
    public IReadOnlyList<PortOutput> Outputs
    {
        get { lock (_outputs) return _outputs.ToList(); }
    }

    /// <summary>Sends raw bytes into <paramref name="chip"/>'s upstream port (from the module's side) or one of its downstream ports.</summary>
    public void Send(string chip, byte[] bytes, bool fromUpstream)
    {
        Watch(chip);
        Sent = bytes;
        lock (_outputs) _outputs.Clear();
        _since.Restart();
        if (fromUpstream)
        {
            Above(chip).InjectRaw(bytes, Direction.Downstream);
        }
        else
        {
            Below(chip)[0].InjectRaw(bytes, Direction.Upstream);
        }
    }

    /// <summary>
    /// What the chip put on its ports in <paramref name="direction"/> within <paramref name="within"/> of the rig's frame:
    /// returned as soon as <paramref name="until"/> holds of it, or when the time is up (at once when the time is up already;
    /// with no <paramref name="until"/>, only then).
    /// </summary>
    public async Task<IReadOnlyList<PortOutput>> OutputsAsync(Direction direction, TimeSpan within, Func<IReadOnlyList<PortOutput>, bool>? until, CancellationToken cancellationToken)
    {
        var deadline = within - _since.Elapsed;
        if (until is not null)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnAny() { if (until(Outputs.Where(o => o.Direction == direction).ToList())) seen.TrySetResult(); }
            _anyOutput += OnAny;
            try
            {
                OnAny();
                if (deadline > TimeSpan.Zero) await seen.Task.WaitAsync(deadline, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                _anyOutput -= OnAny;
            }
        }
        else if (deadline > TimeSpan.Zero)
        {
            // Nothing to wait for: the rule is that nothing comes within the time.
            await Task.Delay(deadline, cancellationToken).ConfigureAwait(false);
        }
        return Outputs.Where(o => o.Direction == direction && o.AfterMs <= within.TotalMilliseconds).ToList();
    }

    private event Action? _anyOutput;

    /// <summary>
    /// How long <paramref name="chip"/> takes to answer STATUS_REQ sent from upstream, each of <paramref name="count"/>
    /// times: from the request handed to its UART to the whole answer back, less the answer's own time on the line.
    /// </summary>
    public async Task<IReadOnlyList<double>> StatusAnswerTimesAsync(string chip, int count, CancellationToken cancellationToken)
    {
        var relay = Above(chip);
        var modelId = bench.Chip(chip).ModelId;
        var baud = bench.Wiring.UpstreamLink(chip).BaudRate;
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var answer = new TaskCompletionSource<(double AtMs, int Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnObserved(LinkObservation o)
            {
                if (o.Direction == Direction.Upstream && o.Item is DecodedFrame { Frame: { Type: MessageType.StatusResponse } f } && f.Source == modelId)
                {
                    answer.TrySetResult((o.AtMs, o.Item.Raw.Length));
                }
            }
            relay.Observed += OnObserved;
            try
            {
                var sentAt = bench.Bench.Timeline.NowMs;
                relay.Inject(new Frame(MessageType.StatusRequest, modelId, Address.Rig, (byte)(0x60 + i), []), Direction.Downstream);
                var (atMs, bytes) = await answer.Task.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                // The answer's own bytes on the line (8N1: 10 bits a byte) are not the chip's delay.
                times.Add(atMs - sentAt - bytes * 10_000.0 / baud);
            }
            catch (TimeoutException)
            {
                times.Add(double.PositiveInfinity);
            }
            finally
            {
                relay.Observed -= OnObserved;
            }
        }
        return times;
    }

    private RelayLink Above(string chip) => bench.Bench.RelaysByChip.TryGetValue(chip, out var relay) ? relay
        : throw new InvalidOperationException($"{chip} has no relay link above it (rig: relay), so the rig cannot send to it from upstream");

    private List<RelayLink> Below(string chip)
    {
        var relays = bench.Wiring.Children(chip).Where(bench.Bench.RelaysByChip.ContainsKey).Select(c => bench.Bench.RelaysByChip[c]).ToList();
        return relays.Count > 0 ? relays
            : throw new InvalidOperationException($"{chip} has no relay link below it on bench {bench.Wiring.Name}: pick a chip with a chip behind it");
    }

    private void Watch(string chip)
    {
        if (Chip == chip) return;
        foreach (var (relay, handler) in _watching) relay.Observed -= handler;
        _watching.Clear();
        Chip = chip;
        Add(Above(chip), Direction.Upstream);
        foreach (var below in Below(chip)) Add(below, Direction.Downstream);
    }

    private void Add(RelayLink relay, Direction direction)
    {
        Action<LinkObservation> handler = o =>
        {
            if (o.Direction != direction) return;
            lock (_outputs) _outputs.Add(new PortOutput(direction, o.Item, _since.Elapsed.TotalMilliseconds));
            _anyOutput?.Invoke();
        };
        relay.Observed += handler;
        _watching.Add((relay, handler));
    }
}
