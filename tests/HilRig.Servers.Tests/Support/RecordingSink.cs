using HilRig.Servers;

namespace HilRig.Servers.Tests.Support;

/// <summary>One line a server reported.</summary>
public sealed record SinkLine(string Source, string Kind, string Detail)
{
    public override string ToString() => $"[{Source}] {Kind}: {Detail}";
}

/// <summary>An in-memory <see cref="ServerEventSink"/> (Serilog-style fake) whose lines tests can await.</summary>
public sealed class RecordingSink
{
    private readonly object _gate = new();
    private readonly List<SinkLine> _lines = new();
    private readonly List<(Func<SinkLine, bool> Match, TaskCompletionSource<SinkLine> Done)> _waiters = new();

    public RecordingSink() => Sink = Add;

    public ServerEventSink Sink { get; }

    public IReadOnlyList<SinkLine> Lines
    {
        get { lock (_gate) return _lines.ToList(); }
    }

    public IReadOnlyList<SinkLine> Errors => Lines.Where(l => l.Kind == "error").ToList();

    public async Task<SinkLine> WaitForAsync(Func<SinkLine, bool> match, string description, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<SinkLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }
            _waiters.Add((match, done));
        }
        try
        {
            return await done.Task.WaitAsync(timeout ?? TestTimeouts.Event, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no sink line '{description}'; lines:\n{string.Join("\n", Lines)}");
        }
    }

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, $"errors were reported:\n{string.Join("\n", Errors)}");

    private void Add(string source, string kind, string detail)
    {
        var line = new SinkLine(source, kind, detail);
        List<TaskCompletionSource<SinkLine>> done;
        lock (_gate)
        {
            _lines.Add(line);
            done = _waiters.Where(w => w.Match(line)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => done.Contains(w.Done));
        }
        done.ForEach(d => d.TrySetResult(line));
    }
}

/// <summary>How long tests wait for something that should happen at once on loopback.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(10);
}
