using HilRig.Servers;
using Xunit;

namespace HilRig.TestSupport;

/// <summary>One line a server reported.</summary>
public sealed record SinkLine(string Source, string Kind, string Detail)
{
    /// <summary>The line as one text: "source kind detail".</summary>
    public string Text => $"{Source} {Kind} {Detail}";

    /// <inheritdoc />
    public override string ToString() => $"[{Source}] {Kind}: {Detail}";
}

/// <summary>An in-memory <see cref="ServerEventSink"/> (Serilog-style fake) whose lines tests read and await.</summary>
public sealed class RecordingSink
{
    private readonly Lock _gate = new();
    private readonly List<SinkLine> _lines = new();
    private readonly List<(Func<SinkLine, bool> Match, TaskCompletionSource<SinkLine> Done)> _waiters = new();

    /// <summary>A sink recording into this.</summary>
    public RecordingSink() => Sink = Add;

    /// <summary>What a server under test is given.</summary>
    public ServerEventSink Sink { get; }

    /// <summary>Every line so far, in order.</summary>
    public IReadOnlyList<SinkLine> Lines
    {
        get { lock (_gate) return _lines.ToList(); }
    }

    /// <summary>Every line so far as "source kind detail".</summary>
    public IReadOnlyList<string> Texts => Lines.Select(l => l.Text).ToList();

    /// <summary>The lines of kind "error".</summary>
    public IReadOnlyList<SinkLine> Errors => Lines.Where(l => l.Kind == "error").ToList();

    /// <summary>The index of the first line whose text holds <paramref name="fragment"/>, or -1.</summary>
    public int IndexOf(string fragment) => Texts.ToList().FindIndex(t => t.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Completes when a line whose text holds <paramref name="fragment"/> is (or was) recorded.</summary>
    public Task<SinkLine> WaitForAsync(string fragment) =>
        WaitForAsync(l => l.Text.Contains(fragment, StringComparison.Ordinal), $"a line with '{fragment}'");

    /// <summary>Completes with the first line that matches, recorded before or after the call; fails listing the lines after <paramref name="timeout"/>.</summary>
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
            return await done.Task.WaitAsync(timeout ?? Waits.Timeout, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no sink line '{description}'; lines:\n{string.Join("\n", Lines)}");
        }
    }

    /// <summary>Fails listing the errors when any was reported.</summary>
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
