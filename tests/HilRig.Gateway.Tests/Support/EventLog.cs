using System.Collections.Concurrent;
using HilRig.Servers;

namespace HilRig.Gateway.Tests.Support;

/// <summary>An in-memory sink: every server event line, in order, and waits for a line to appear.</summary>
public sealed class EventLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public ServerEventSink Sink => (source, kind, detail) =>
    {
        var line = $"{source} {kind} {detail}";
        _lines.Enqueue(line);
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    };

    public IReadOnlyList<string> Lines => [.. _lines];

    public int IndexOf(string fragment) => Lines.ToList().FindIndex(l => l.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Completes when a line containing <paramref name="fragment"/> is (or was) logged.</summary>
    public Task WaitForAsync(string fragment)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_lines.Any(l => l.Contains(fragment, StringComparison.Ordinal))) return Task.CompletedTask;
            _waiters.Add((l => l.Contains(fragment, StringComparison.Ordinal), seen));
        }
        return seen.Task.WaitAsync(Waits.Timeout, TestContext.Current.CancellationToken);
    }
}

public static class Waits
{
    /// <summary>Upper bound for any awaited event in these tests; they normally arrive in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    public static Task Within(this Task task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
}

/// <summary>A clock the test moves by hand (request times of the master gateway).</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
