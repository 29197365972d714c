using HilRig.Core.Links;
using HilRig.Protocol.Framing;

namespace HilRig.Core.Faults;

/// <summary>What a relay does with one item it is about to forward.</summary>
public enum LinkVerdict
{
    /// <summary>Forward it (possibly altered).</summary>
    Forward,
    /// <summary>Do not forward it.</summary>
    Drop,
}

/// <summary>
/// The faults armed on one direction of a relay link: broken (nothing passes), drop the next N frames,
/// corrupt the next frame at byte k bit b, delay frames. The relay asks before forwarding every item,
/// so a fault always lands on a frame boundary and the rig knows exactly which frame it hit.
/// </summary>
public sealed class LinkFaults
{
    private readonly Lock _gate = new();
    private DateTime? _brokenUntilUtc;
    private bool _brokenForGood;
    private int _dropFrames;
    private Func<Frame, bool> _dropMatch = _ => true;
    private (int ByteIndex, int Bit, Func<Frame, bool> Match)? _corrupt;
    private TimeSpan _delay;
    private TaskCompletionSource? _held;

    /// <summary>Breaks this direction for <paramref name="duration"/>, or for good when null.</summary>
    public void Break(TimeSpan? duration)
    {
        lock (_gate)
        {
            _brokenForGood = duration is null;
            _brokenUntilUtc = duration is null ? null : DateTime.UtcNow + duration;
        }
    }

    /// <summary>Mends a break.</summary>
    public void Mend()
    {
        lock (_gate)
        {
            _brokenForGood = false;
            _brokenUntilUtc = null;
        }
    }

    /// <summary>Drops the next <paramref name="count"/> frames that match.</summary>
    public void DropFrames(int count, Func<Frame, bool>? match = null)
    {
        lock (_gate)
        {
            _dropFrames = count;
            _dropMatch = match ?? (_ => true);
        }
    }

    /// <summary>Flips bit <paramref name="bit"/> of byte <paramref name="byteIndex"/> of the next matching frame.</summary>
    public void CorruptNextFrame(int byteIndex, int bit, Func<Frame, bool>? match = null)
    {
        lock (_gate)
        {
            _corrupt = (byteIndex, bit, match ?? (_ => true));
        }
    }

    /// <summary>Delays every frame by <paramref name="delay"/> (zero to stop).</summary>
    public void Delay(TimeSpan delay)
    {
        lock (_gate)
        {
            _delay = delay;
        }
    }

    /// <summary>
    /// Holds every frame in this direction (nothing is lost: they wait in order) until
    /// <see cref="Release"/>; the rig's own injected frames still pass.
    /// </summary>
    public void Hold()
    {
        lock (_gate) _held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Lets held frames go on.</summary>
    public void Release()
    {
        TaskCompletionSource? held;
        lock (_gate)
        {
            held = _held;
            _held = null;
        }
        held?.TrySetResult();
    }

    /// <summary>Completes when the direction is not held.</summary>
    public Task WhileHeldAsync()
    {
        lock (_gate) return _held?.Task ?? Task.CompletedTask;
    }

    /// <summary>The delay to apply before forwarding.</summary>
    public TimeSpan CurrentDelay
    {
        get { lock (_gate) return _delay; }
    }

    /// <summary>True while the direction is broken.</summary>
    public bool IsBroken
    {
        get { lock (_gate) return _brokenForGood || (_brokenUntilUtc is { } until && DateTime.UtcNow < until); }
    }

    /// <summary>Decides the fate of an item and returns the bytes to forward (altered when corrupted).</summary>
    public (LinkVerdict Verdict, byte[] Bytes, string? What) Apply(DecodedItem item)
    {
        lock (_gate)
        {
            if (_brokenForGood || (_brokenUntilUtc is { } until && DateTime.UtcNow < until))
            {
                return (LinkVerdict.Drop, item.Raw, "lost on a broken link");
            }
            if (item is not DecodedFrame { Frame: var frame })
            {
                return (LinkVerdict.Forward, item.Raw, null);
            }
            if (_dropFrames > 0 && _dropMatch(frame))
            {
                _dropFrames--;
                return (LinkVerdict.Drop, item.Raw, "dropped");
            }
            if (_corrupt is { } c && c.Match(frame))
            {
                _corrupt = null;
                var bytes = (byte[])item.Raw.Clone();
                var index = Math.Clamp(c.ByteIndex, 0, bytes.Length - 1);
                bytes[index] ^= (byte)(1 << (c.Bit & 7));
                return (LinkVerdict.Forward, bytes, $"corrupted at byte {index} bit {c.Bit & 7}");
            }
            return (LinkVerdict.Forward, item.Raw, null);
        }
    }
}
