using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

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

    /// <summary>A frame's decoded fields (kinds frame and inject).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrameFacts? Frame { get; init; }

    /// <summary>The chip record a log line holds (docs/protocol.md §11.2), read once when the line was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChipRecord? Chip { get; init; }

    /// <summary>Each chip's mode in a rig mode snapshot (kind modes).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, ChipMode>? Modes { get; init; }

    /// <summary>The module's control-channel event (kind event, source module; docs/protocol.md §11.1).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModuleEvent? Module { get; init; }

    /// <summary>The power state after a power event (kind power).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PowerOn { get; init; }
}

/// <summary>
/// The per-scenario record of every UART frame, power change, module event and fault, in time order.
/// Each event is appended to an NDJSON file and flushed at once, so a crash loses nothing.
/// </summary>
public sealed class BenchTimeline : IDisposable
{
    private static readonly JsonSerializerOptions Json = TimelineJson.Options;
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

    /// <summary>Records an event; a log line holding a chip record (docs/protocol.md §11.2) carries it read.</summary>
    public TimelineEvent Add(string source, string kind, string summary, string? direction = null, string? hex = null)
    {
        ChipRecord? chip = null;
        string? badRecord = null;
        if (kind == TimelineKind.Log && !ChipRecord.TryParse(summary, out chip, out badRecord) && badRecord is not null)
        {
            Record(new TimelineEvent(NowMs, source, TimelineKind.Error, $"{source} printed a bad chip record: {badRecord}"));
        }
        return Record(new TimelineEvent(NowMs, source, kind, summary) { Direction = direction, Hex = hex, Chip = chip });
    }

    /// <summary>Records a frame seen or injected on a link, with its decoded fields.</summary>
    public TimelineEvent AddFrame(string source, string kind, Frame frame, string summary, string? direction, string? hex = null) =>
        Record(new TimelineEvent(NowMs, source, kind, summary) { Direction = direction, Hex = hex, Frame = FrameFacts.Of(frame) });

    /// <summary>Records a node's power switching.</summary>
    public TimelineEvent AddPower(string node, bool on) =>
        Record(new TimelineEvent(NowMs, node, TimelineKind.Power, on ? "on" : "off") { PowerOn = on });

    /// <summary>Records an event the module reported on its control channel.</summary>
    public TimelineEvent AddModuleEvent(string source, ModuleEvent moduleEvent, string summary) =>
        Record(new TimelineEvent(NowMs, source, TimelineKind.Event, summary) { Module = moduleEvent });

    /// <summary>Records the rig's snapshot of chip modes.</summary>
    public TimelineEvent AddModes(string source, IReadOnlyDictionary<string, ChipMode> modes, string summary) =>
        Record(new TimelineEvent(NowMs, source, TimelineKind.Modes, summary) { Modes = modes });

    private TimelineEvent Record(TimelineEvent e)
    {
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
