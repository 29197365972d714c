using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>
/// The sender's side of selective acknowledgement (docs/protocol.md §7.3.1). Frames sit on the grid of unit multiples; each
/// send gets a stamp. The chain delivers in order, so when the target answers the DATA sent with stamp s, every frame sent
/// before s that it does not hold was lost: exactly those are queued to be sent again, each once per loss.
/// </summary>
internal sealed class SelectiveResend(int unitBytes, int imageSizeBytes)
{
    private readonly Dictionary<long, long> _sentAt = [];
    private readonly SortedSet<long> _queued = [];
    private long _stamp;
    private long _next;
    private SelectiveAck? _last;

    /// <summary>True once a 1.2 DATA_ACK came since the last <see cref="Reset"/>: the target holds frames beyond the gap.</summary>
    public bool Active => _last is not null;

    /// <summary>Where the frame holding <paramref name="offset"/> ends: the next unit multiple, or the image's end.</summary>
    public long FrameEnd(long offset) => Math.Min((offset / unitBytes + 1) * unitBytes, imageSizeBytes);

    /// <summary>Forgets everything (a resume: the target may have rebooted and forgotten what it held).</summary>
    public void Reset()
    {
        _sentAt.Clear();
        _queued.Clear();
        _last = null;
    }

    /// <summary>Records that the frame at <paramref name="offset"/> went out now.</summary>
    public void Sent(long offset)
    {
        _sentAt[offset] = ++_stamp;
        _queued.Remove(offset);
    }

    /// <summary>A 1.2 DATA_ACK: queues the frames below <paramref name="frontier"/> that were sent before the answered one and are not held.</summary>
    public void OnAck(long next, SelectiveAck ack, long frontier)
    {
        _next = next;
        _last = ack;
        // An answer to a frame the sender has no stamp for (sent before a reset) tells nothing about losses.
        var answered = _sentAt.GetValueOrDefault(ack.AnsweredOffset);
        foreach (var done in _sentAt.Keys.Where(o => o < next).ToList())
        {
            _sentAt.Remove(done);
        }
        for (var offset = next; offset < frontier; offset = FrameEnd(offset))
        {
            if (!Holds(offset) && _sentAt.TryGetValue(offset, out var at) && at < answered)
            {
                _queued.Add(offset);
            }
        }
    }

    /// <summary>
    /// After a short silence while the target holds frames beyond a gap: queues the lowest frame it does not hold, once. Its answer
    /// tells, by the stamps, which frames sent before it were lost (a lost last frame, a lost re-sent frame); a chip that is only
    /// slow costs one frame, not a window.
    /// </summary>
    public void QueueLowestMissing(long frontier)
    {
        for (var offset = _next; offset < frontier; offset = FrameEnd(offset))
        {
            if (!Holds(offset))
            {
                _queued.Add(offset);
                return;
            }
        }
    }

    /// <summary>Whether the target's last answer said it holds frames beyond the gap (so something sent was lost).</summary>
    public bool HoldsBeyondGap => _last is { Held: not 0 };

    /// <summary>Whether some frame below <paramref name="frontier"/> is not held by the target (as its last answer says).</summary>
    public bool AnyMissing(long frontier) => _next < frontier;

    /// <summary>The lowest frame to send again, or null.</summary>
    public long? TakeQueued()
    {
        while (_queued.Count > 0)
        {
            var offset = _queued.Min;
            _queued.Remove(offset);
            if (offset >= _next && !Holds(offset))
            {
                return offset;
            }
        }
        return null;
    }

    private bool Holds(long offset) => offset < _next || (_last is { } ack && ack.Holds(offset, _next, unitBytes));
}
