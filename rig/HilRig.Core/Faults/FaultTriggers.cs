using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Faults;

/// <summary>When a fault fires. Triggers watch the relay links; none of them reads an emulator's memory.</summary>
public interface IFaultTrigger
{
    /// <summary>Words for the timeline and reports ("at 50% of chip3's transfer").</summary>
    string Description { get; }

    /// <summary>Completes when the trigger fires.</summary>
    Task WaitAsync(IBench bench, CancellationToken cancellationToken);
}

/// <summary>Waits on relay links until an observation is the moment a trigger waits for.</summary>
internal static class RelayWatch
{
    /// <summary>The image size a START making <paramref name="modelId"/> the target carries, when <paramref name="o"/> is one.</summary>
    public static long? ImageSizeStartedFor(LinkObservation o, byte modelId) =>
        o.Direction == Direction.Downstream && o.Item is DecodedFrame { Frame: { Type: MessageType.Start } f }
        && StartPayload.TryDecode(f.Payload, out _) is { } start && start.Target == modelId
        && ImageHeader.TryDecode(start.ImageHeader, out _) is { } header
            ? header.ImageSizeBytes
            : null;

    /// <summary>Remembers in <paramref name="size"/> the image size of a START making <paramref name="modelId"/> the target; true when <paramref name="o"/> was one.</summary>
    public static bool TookImageSize(LinkObservation o, byte modelId, ref long? size)
    {
        if (ImageSizeStartedFor(o, modelId) is not { } started) return false;
        size = started;
        return true;
    }

    /// <summary>
    /// Completes when <paramref name="isMoment"/> returns true for an observation on one of
    /// <paramref name="relays"/>; observations are handed to it one at a time.
    /// </summary>
    public static async Task UntilAsync(IReadOnlyList<RelayLink> relays, Func<LinkObservation, bool> isMoment, CancellationToken cancellationToken)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new Lock();
        void OnObserved(LinkObservation o)
        {
            lock (gate)
            {
                if (!fired.Task.IsCompleted && isMoment(o)) fired.TrySetResult();
            }
        }
        foreach (var relay in relays) relay.Observed += OnObserved;
        try
        {
            await fired.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var relay in relays) relay.Observed -= OnObserved;
        }
    }
}

/// <summary>Fires a fixed time after the fault is armed.</summary>
public sealed record AfterDelay(TimeSpan Delay) : IFaultTrigger
{
    /// <inheritdoc />
    public string Description => $"{Delay.TotalMilliseconds:0} ms after arming";

    /// <inheritdoc />
    public Task WaitAsync(IBench bench, CancellationToken cancellationToken) => Task.Delay(Delay, cancellationToken);
}

/// <summary>
/// Fires at a point of one chip's transfer, seen on the relay link right above the chip: 0 bytes is the
/// chip's START_ACK entering UPGRADE; k bytes is the DATA frame that carries byte k-1 passing the relay;
/// a percentage is of the image size carried by the START. The first such moment after arming fires it,
/// whichever (resumed) transfer it falls in.
/// </summary>
/// <remarks>
/// The size is remembered between waits: a trigger deferred while another fault acted (<see cref="FaultEngine"/>)
/// waits again only once that fault's recovery is checked, after the resumed START has passed; the resumed
/// transfer is of the same image (seen: the 90% cut of "Ten power cuts in one transfer" never fired).
/// A wait after the first (the engine waits again only after deferring the trigger) fires at the first DATA frame at
/// or past the point: its moment fell inside the other fault, and the chip may have persisted past it before the
/// power went, so the resumed transfer never crosses it again (seen on the bench double under load: a whole-device cut
/// whose power commands took long enough for the 30% point to pass, and the resumed transfer started beyond it).
/// </remarks>
public sealed record AtTransferPoint(string Chip, long? Bytes, double? Percent) : IFaultTrigger
{
    private long? _size;
    private int _waits;

    /// <inheritdoc />
    public string Description => Percent is { } p ? $"at {p:0.#}% of {Chip}'s transfer" : $"at byte {Bytes} of {Chip}'s transfer";

    /// <inheritdoc />
    public async Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var modelId = bench.Wiring.Chip(Chip).ModelId;
        var late = Interlocked.Increment(ref _waits) > 1;
        long? firedAt = null;
        await RelayWatch.UntilAsync([bench.RelaysByChip[Chip]], o => IsMoment(o, modelId, late, out firedAt), cancellationToken).ConfigureAwait(false);
        if (late && firedAt is { } offset && Threshold() is { } k && offset >= k)
        {
            bench.Timeline.Add("rig", "fault-trigger", $"{Description}: its moment fell inside another fault; fired at the first DATA past it, offset {offset}");
        }
    }

    /// <summary>Whether <paramref name="o"/>, seen on the link above the chip of <paramref name="modelId"/>, is the moment (a first wait).</summary>
    internal bool IsMoment(LinkObservation o, byte modelId) => IsMoment(o, modelId, late: false, out _);

    /// <summary>
    /// Whether <paramref name="o"/> is the moment; <paramref name="late"/>: a wait after a deferral, where any DATA frame that
    /// reaches the point counts, the first past it too. <paramref name="dataOffset"/>: the firing DATA frame's offset.
    /// </summary>
    internal bool IsMoment(LinkObservation o, byte modelId, bool late, out long? dataOffset)
    {
        dataOffset = null;
        if (o.Item is not DecodedFrame { Frame: var f } || RelayWatch.TookImageSize(o, modelId, ref _size)) return false;
        if (o.Direction == Direction.Upstream && f.Type == MessageType.StartAck && f.Source == modelId
            && StartAckPayload.TryDecode(f.Payload, out _) is { Mode: ChipMode.Upgrade })
        {
            return Threshold() == 0;
        }
        if (o.Direction != Direction.Downstream || f.Type != MessageType.Data || f.Destination != modelId
            || DataPayload.TryDecode(f.Payload, out _) is not { } data || Threshold() is not { } k || k <= 0
            || data.Offset + data.Bytes.Length < k || (!late && data.Offset >= k))
        {
            return false;
        }
        dataOffset = data.Offset;
        return true;
    }

    private long? Threshold() => Bytes ?? (Percent is { } p && _size is { } s ? Math.Max(0, (long)Math.Ceiling(s * p / 100.0)) : null);
}

/// <summary>
/// Fires when the chip acknowledges the last byte of its image as persisted: the moment after the last
/// byte and before the digest check and activation that follow it (docs/protocol.md §7.4).
/// </summary>
public sealed record OnLastByteAcknowledged(string Chip) : IFaultTrigger
{
    // Remembered between waits, as AtTransferPoint does: a deferred wait starts after the resumed START.
    private long? _size;

    /// <inheritdoc />
    public string Description => $"when {Chip} acknowledges the last byte of its image";

    /// <inheritdoc />
    public Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var modelId = bench.Wiring.Chip(Chip).ModelId;
        return RelayWatch.UntilAsync([bench.RelaysByChip[Chip]], o => IsMoment(o, modelId), cancellationToken);
    }

    /// <summary>Whether <paramref name="o"/>, seen on the link above the chip of <paramref name="modelId"/>, is the moment.</summary>
    internal bool IsMoment(LinkObservation o, byte modelId)
    {
        if (o.Item is not DecodedFrame { Frame: var f } || RelayWatch.TookImageSize(o, modelId, ref _size)) return false;
        return o.Direction == Direction.Upstream && f.Type == MessageType.DataAck && f.Source == modelId
            && DataAckPayload.TryDecode(f.Payload, out _) is { } ack && _size is { } s && ack.Persisted >= s;
    }
}

/// <summary>
/// Fires on the <paramref name="Nth"/> frame of a type seen on the module's link (or on the link above
/// <paramref name="Chip"/>), optionally only from one chip or in one direction.
/// </summary>
public sealed record OnProtocolEvent(MessageType Type, int Nth = 1, string? Chip = null, byte? FromModelId = null, Direction? Direction = null) : IFaultTrigger
{
    /// <inheritdoc />
    public string Description => $"on the {Ordinal(Nth)} {Type}{(Chip is null ? " at the module" : $" on the link above {Chip}")}";

    private static string Ordinal(int n) => n switch { 1 => "first", 2 => "second", 3 => "third", _ => $"{n}th" };

    /// <inheritdoc />
    public Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var relays = new[] { bench.RelaysByChip[Chip ?? bench.Wiring.Children(Wiring.ModuleWiring.Name)[0]] };
        return RelayWatch.UntilAsync(relays, NewWatch(), cancellationToken);
    }

    /// <summary>A fresh count of one wait: true for the observation that is the moment.</summary>
    internal Func<LinkObservation, bool> NewWatch()
    {
        var seen = 0;
        return o =>
        {
            if (o.Item is not DecodedFrame { Frame: var f } || f.Type != Type) return false;
            if (FromModelId is { } from && f.Source != from) return false;
            if (Direction is { } d && o.Direction != d) return false;
            return ++seen == Nth;
        };
    }
}

/// <summary>
/// Fires at the <paramref name="Nth"/> frame (either direction) crossing the relay link right above
/// <paramref name="Chip"/>, counted from the first START that makes the chip the target: every frame
/// boundary of the chip's transfer is one such point.
/// </summary>
public sealed record AtTransferFrame(string Chip, int Nth) : IFaultTrigger
{
    /// <inheritdoc />
    public string Description => $"after frame {Nth} of {Chip}'s transfer";

    /// <inheritdoc />
    public Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var modelId = bench.Wiring.Chip(Chip).ModelId;
        return RelayWatch.UntilAsync([bench.RelaysByChip[Chip]], NewWatch(modelId), cancellationToken);
    }

    /// <summary>A fresh count of one wait on the link above the chip of <paramref name="modelId"/>: true for the Nth frame.</summary>
    internal Func<LinkObservation, bool> NewWatch(byte modelId)
    {
        var frames = new TransferFrameCounter(modelId);
        return o => frames.Count(o) == Nth;
    }
}

/// <summary>
/// Numbers the frames (either direction) crossing the link above a chip from the first START that makes it the
/// target: the frame boundaries of its transfer. The sweep counts its cut points with it and
/// <see cref="AtTransferFrame"/> fires with it, so point N of a sweep is frame N of the trigger.
/// </summary>
public sealed class TransferFrameCounter(byte modelId)
{
    private readonly Lock _gate = new();
    private bool _counting;
    private int _seen;

    /// <summary>Frames counted so far.</summary>
    public int Seen
    {
        get { lock (_gate) return _seen; }
    }

    /// <summary>Counts <paramref name="o"/>: its number when it is a frame of the transfer, 0 otherwise.</summary>
    public int Count(LinkObservation o)
    {
        if (o.Item is not DecodedFrame { Frame: var f }) return 0;
        lock (_gate)
        {
            if (!_counting && o.Direction == Direction.Downstream && f.Type == MessageType.Start
                && StartPayload.TryDecode(f.Payload, out _) is { } start && start.Target == modelId)
            {
                _counting = true;
            }
            return _counting ? ++_seen : 0;
        }
    }
}

/// <summary>
/// Fires when the chip's process ends by itself with the power-cut exit code: the emulated chip was
/// started with a cut planned inside one of its flash operations and has just lost its power there.
/// </summary>
public sealed record OnFlashOperationCut(string Chip) : IFaultTrigger
{
    /// <summary>The exit code of an emulated chip that cut its own power inside a flash operation.</summary>
    public const int PowerCutExitCode = 86;

    /// <inheritdoc />
    public string Description => $"inside the planned flash operation of {Chip}";

    /// <inheritdoc />
    public Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var nodes = bench as IEmulatedNodes ?? throw new NotSupportedException(
            $"bench '{bench.Wiring.Name}': a cut inside a planned flash operation needs chips the rig starts itself (a virtual bench); "
            + "this bench's chips run on their own");
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDied(string node, int code)
        {
            if (node == Chip && code == PowerCutExitCode) fired.TrySetResult();
        }
        nodes.NodeEndedByItself += OnDied;
        return fired.Task.WaitAsync(cancellationToken).ContinueWith(t =>
        {
            nodes.NodeEndedByItself -= OnDied;
            return t;
        }, TaskScheduler.Default).Unwrap();
    }
}
