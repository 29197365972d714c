using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HilRig.Core.Timeline;

/// <summary>One timestamped thing that happened on the bench.</summary>
public sealed record TimelineEvent(double AtMs, string Source, string Kind, string Summary)
{
    /// <summary>Direction on a link, when it is a frame.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Direction { get; init; }

    /// <summary>Raw bytes in hex, for frames and skipped bytes (DATA payloads are summarised instead).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Hex { get; init; }
}

/// <summary>
/// The per-scenario record of every UART frame, power change, module event and fault, in time order.
/// Each event is appended to an NDJSON file and flushed at once, so a crash loses nothing.
/// </summary>
public sealed class BenchTimeline : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimelineEvent> _events = new();
    private readonly FileStream? _file;

    /// <summary>Creates a timeline, written to <paramref name="path"/> when given.</summary>
    public BenchTimeline(string? path)
    {
        Path = path;
        if (path is not null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            // Unbuffered: each event's line reaches the file in one write, so a reader never sees half of it.
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        }
    }

    /// <summary>Where the NDJSON goes, if anywhere.</summary>
    public string? Path { get; }

    /// <summary>Milliseconds since the timeline started.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Raised after each event is recorded.</summary>
    public event Action<TimelineEvent>? Recorded;

    /// <summary>Records an event.</summary>
    public TimelineEvent Add(string source, string kind, string summary, string? direction = null, string? hex = null)
    {
        var e = new TimelineEvent(NowMs, source, kind, summary) { Direction = direction, Hex = hex };
        lock (_events)
        {
            _events.Add(e);
            if (_file is not null)
            {
                _file.Write(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(e, Json) + "\n"));
            }
        }
        Recorded?.Invoke(e);
        return e;
    }

    /// <summary>A copy of every event so far.</summary>
    public IReadOnlyList<TimelineEvent> Snapshot()
    {
        lock (_events)
        {
            return _events.ToList();
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> events so far or to come match; throws <see cref="TimeoutException"/>
    /// naming <paramref name="description"/> and how many matched.
    /// </summary>
    public async Task<IReadOnlyList<TimelineEvent>> WaitForAsync(Func<TimelineEvent, bool> match, int count, string description, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new List<TimelineEvent>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRecorded(TimelineEvent e)
        {
            lock (found)
            {
                if (seen.Add(e) && match(e))
                {
                    found.Add(e);
                    if (found.Count >= count) done.TrySetResult();
                }
            }
        }
        lock (_events)
        {
            // Past events and the subscription under one lock: none is missed or counted twice.
            foreach (var e in _events)
            {
                if (seen.Add(e) && match(e)) found.Add(e);
            }
            Recorded += OnRecorded;
        }
        try
        {
            if (found.Count < count)
            {
                await done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            lock (found) return found.ToList();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{description}: seen {found.Count} time(s) within {timeout.TotalSeconds:0.#} s, expected {count}");
        }
        finally
        {
            Recorded -= OnRecorded;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_events)
        {
            _file?.Dispose();
        }
    }
}
