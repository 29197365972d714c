namespace HilRig.Servers.Faults;

/// <summary>
/// Faults of the target server's firmware downloads (docs/cloud.md §2.7) the rig's fault engine can fire; each is
/// one "fault" line on the sink when set and when it strikes. They apply to GET /firmware/… only: the admin API
/// is the rig's own control path.
/// </summary>
public sealed class HttpFaults
{
    private readonly object _gate = new();
    private readonly string _source;
    private readonly ServerEventSink _sink;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _refuseConnections;
    private int _failCount;
    private DateTimeOffset _failUntil = DateTimeOffset.MinValue;
    private long? _truncateAt;
    private int _corruptCount;
    private int _wrongChecksumCount;
    private DownloadPause? _pause;

    internal HttpFaults(string source, ServerEventSink sink, TimeProvider time, Func<TimeSpan, CancellationToken, Task> refuseConnections)
    {
        _source = source;
        _sink = sink;
        _time = time;
        _refuseConnections = refuseConnections;
    }

    /// <summary>Answers the next <paramref name="count"/> firmware requests with 500.</summary>
    public void FailNextRequests(int count)
    {
        lock (_gate) _failCount = count;
        _sink(_source, "fault", $"HTTP 500 for the next {count} firmware request(s)");
    }

    /// <summary>Answers every firmware request with 500 for <paramref name="duration"/> from now.</summary>
    public void FailFor(TimeSpan duration)
    {
        lock (_gate) _failUntil = _time.GetUtcNow() + duration;
        _sink(_source, "fault", $"HTTP 500 for firmware requests during {duration.TotalSeconds:0.###} s");
    }

    /// <summary>Cuts the next download when it reaches file offset <paramref name="offsetBytes"/>: the connection closes mid-body.</summary>
    public void TruncateNextDownloadAt(long offsetBytes)
    {
        lock (_gate) _truncateAt = offsetBytes;
        _sink(_source, "fault", $"next download cut at byte {offsetBytes}");
    }

    /// <summary>
    /// Holds the next download whose answer carries file offset <paramref name="offsetBytes"/> (a byte after the first
    /// one it serves): the server writes the bytes before that offset and flushes them, the returned task completes
    /// with the file's name, and the rest of the body waits until the client's connection is gone or
    /// <paramref name="hold"/> has passed. A client therefore holds exactly <paramref name="offsetBytes"/> bytes of the
    /// file when the task completes plus the time the bytes take to reach it, whatever lies between (TLS, a gate).
    /// Cancelling <paramref name="cancellationToken"/> before a download reaches the offset withdraws the pause.
    /// </summary>
    public Task<string> PauseNextDownloadAtAsync(long offsetBytes, TimeSpan hold, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(offsetBytes);
        var pause = new DownloadPause(offsetBytes, hold);
        lock (_gate) _pause = pause;
        _sink(_source, "fault", $"next download held at byte {offsetBytes} for up to {hold.TotalMilliseconds:0} ms");
        var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_pause, pause))
                {
                    _pause = null;
                }
            }
            pause.Reached.TrySetCanceled(cancellationToken);
        });
        _ = pause.Reached.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return pause.Reached.Task;
    }

    /// <summary>Flips one byte of the next <paramref name="count"/> downloads, so the SHA-256 check fails.</summary>
    public void CorruptNextDownloads(int count = 1)
    {
        lock (_gate) _corruptCount = count;
        _sink(_source, "fault", $"one byte altered in the next {count} download(s)");
    }

    /// <summary>Sends a wrong X-Checksum-Sha256 with the next <paramref name="count"/> downloads.</summary>
    public void ServeWrongChecksumOnNextDownloads(int count = 1)
    {
        lock (_gate) _wrongChecksumCount = count;
        _sink(_source, "fault", $"wrong X-Checksum-Sha256 on the next {count} download(s)");
    }

    /// <summary>Stops listening for <paramref name="duration"/> (connections are refused, admin API included), then listens again on the same port.</summary>
    public Task RefuseConnectionsAsync(TimeSpan duration, CancellationToken cancellationToken) => _refuseConnections(duration, cancellationToken);

    /// <summary>Clears every switch.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _failCount = _corruptCount = _wrongChecksumCount = 0;
            _failUntil = DateTimeOffset.MinValue;
            _truncateAt = null;
            _pause?.Reached.TrySetCanceled();
            _pause = null;
        }
        _sink(_source, "fault", "HTTP faults cleared");
    }

    internal bool TakeFailure()
    {
        lock (_gate)
        {
            if (_failCount > 0)
            {
                _failCount--;
                return true;
            }
            return _time.GetUtcNow() < _failUntil;
        }
    }

    internal long? TakeTruncation()
    {
        lock (_gate)
        {
            var at = _truncateAt;
            _truncateAt = null;
            return at;
        }
    }

    /// <summary>The pause set for a download, taken when an answer serving [<paramref name="start"/>, <paramref name="end"/>] carries its offset.</summary>
    internal DownloadPause? TakePause(long start, long end)
    {
        lock (_gate)
        {
            if (_pause is { } pause && pause.Offset > start && pause.Offset <= end && !pause.Reached.Task.IsCompleted)
            {
                _pause = null;
                return pause;
            }
            return null;
        }
    }

    internal bool TakeCorruption() => TakeOne(ref _corruptCount);

    internal bool TakeWrongChecksum() => TakeOne(ref _wrongChecksumCount);

    private bool TakeOne(ref int count)
    {
        lock (_gate)
        {
            if (count == 0)
            {
                return false;
            }
            count--;
            return true;
        }
    }
}

/// <summary>A download to hold at a file offset (<see cref="HttpFaults.PauseNextDownloadAtAsync"/>).</summary>
internal sealed class DownloadPause(long offset, TimeSpan hold)
{
    public long Offset { get; } = offset;

    public TimeSpan Hold { get; } = hold;

    /// <summary>Completed with the file's name once the bytes before <see cref="Offset"/> are written and flushed.</summary>
    public TaskCompletionSource<string> Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
