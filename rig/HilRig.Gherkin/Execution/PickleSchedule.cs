using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// The order in which the benches of a parallel run take their pickles: the next free bench takes the longest pickle
/// left (<see cref="Estimate"/>), and a pickle that must have the machine alone (<see cref="RunsAlone"/>: the tag
/// <c>@alone</c>) runs after all the others, one at a time, while no other bench runs anything. Thread-safe: every
/// bench's task calls <see cref="NextAsync"/> and <see cref="Finished"/>.
/// </summary>
public sealed class PickleSchedule
{
    /// <summary>The tag of a scenario that must not run beside another (a fixed port, the machine's namespaces, ...).</summary>
    public const string AloneTag = "@alone";

    /// <summary>What a scenario with no earlier duration counts as: @slow ones (sweeps, ten cuts) first, then the rest in file order.</summary>
    public static readonly TimeSpan SlowDefault = TimeSpan.FromSeconds(60);

    /// <summary>What a scenario that is not @slow counts as when no earlier run timed it.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private readonly Queue<PickleInfo> _shared;
    private readonly Queue<PickleInfo> _alone;
    private int _running;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Orders <paramref name="pickles"/> by <paramref name="durations"/> (pickle id to an earlier run's duration), longest first.</summary>
    public PickleSchedule(IEnumerable<PickleInfo> pickles, IReadOnlyDictionary<string, TimeSpan>? durations = null)
    {
        ArgumentNullException.ThrowIfNull(pickles);
        durations ??= new Dictionary<string, TimeSpan>();
        // OrderByDescending is stable: equal estimates keep the selection's order.
        var ordered = pickles.OrderByDescending(p => Estimate(p, durations)).ToList();
        _shared = new Queue<PickleInfo>(ordered.Where(p => !RunsAlone(p)));
        _alone = new Queue<PickleInfo>(ordered.Where(RunsAlone));
        Order = [.. _shared, .. _alone];
    }

    /// <summary>The order pickles are handed out in.</summary>
    public IReadOnlyList<PickleInfo> Order { get; }

    /// <summary>Whether the pickle needs the machine alone (tagged <see cref="AloneTag"/>, on itself or its feature).</summary>
    public static bool RunsAlone(PickleInfo pickle)
    {
        ArgumentNullException.ThrowIfNull(pickle);
        return pickle.Tags.Contains(AloneTag);
    }

    /// <summary>The pickle's duration in an earlier run (by its pickle id), else <see cref="SlowDefault"/> for @slow and <see cref="Default"/> for the rest.</summary>
    public static TimeSpan Estimate(PickleInfo pickle, IReadOnlyDictionary<string, TimeSpan> durations)
    {
        ArgumentNullException.ThrowIfNull(pickle);
        ArgumentNullException.ThrowIfNull(durations);
        return durations.TryGetValue(pickle.Pickle.Id, out var known) ? known : pickle.Tags.Contains("@slow") ? SlowDefault : Default;
    }

    /// <summary>
    /// The next pickle for a free bench, or null when none is left. A pickle that runs alone is handed out only when no
    /// other bench runs one; until then the caller waits. Every pickle handed out must be given back with <see cref="Finished"/>.
    /// </summary>
    public async Task<PickleInfo?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_shared.TryDequeue(out var pickle) || (_running == 0 && _alone.TryDequeue(out pickle)))
                {
                    _running++;
                    return pickle;
                }
                if (_alone.Count == 0)
                {
                    return null;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A bench finished the pickle it was handed.</summary>
    public void Finished()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _running--;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
