using HilRig.Core.Bench;
using HilRig.Core.Faults;
using HilRig.Core.Verification;
using Xunit;

namespace HilRig.Core.Tests.Faults;

/// <summary>The engine's promises: a fired fault acts once, one fault acts at a time, a trigger that fires meanwhile waits again.</summary>
public sealed class FaultEngineTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeBench _bench = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A trigger the test fires by hand; every wait is a new moment, and each wait start is announced.</summary>
    private sealed class HandTrigger(string description) : IFaultTrigger
    {
        private readonly Lock _gate = new();
        private readonly List<TaskCompletionSource> _waits = new();
        private TaskCompletionSource _nextWait = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => description;

        public int Waits
        {
            get { lock (_gate) return _waits.Count; }
        }

        /// <summary>Completes when wait number <paramref name="n"/> (from 1) has started.</summary>
        public async Task WaitStartedAsync(int n)
        {
            while (true)
            {
                Task next;
                lock (_gate)
                {
                    if (_waits.Count >= n) return;
                    next = _nextWait.Task;
                }
                await next.WaitAsync(Timeout, Cancel);
            }
        }

        public void Fire(int n)
        {
            lock (_gate) _waits[n - 1].TrySetResult();
        }

        public Task WaitAsync(IBench bench, CancellationToken cancellationToken)
        {
            var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            TaskCompletionSource started;
            lock (_gate)
            {
                _waits.Add(wait);
                started = _nextWait;
                _nextWait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            started.TrySetResult();
            return wait.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>An action that counts its runs, can be held inside its run, and can fail.</summary>
    private sealed class HandAction(string description, string? failure = null) : IFaultAction
    {
        private static int s_acting;
        private int _runs;

        public static int MostAtOnce;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Holds { get; init; }

        public int Runs => Volatile.Read(ref _runs);

        public string Description => description;

        public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            var now = Interlocked.Increment(ref s_acting);
            MostAtOnce = Math.Max(MostAtOnce, now);
            Started.TrySetResult();
            try
            {
                if (Holds) await Release.Task.WaitAsync(cancellationToken);
                if (failure is not null) throw new InvalidOperationException(failure);
                return new RecoveryCheck(description, context.Bench.Timeline.NowMs, []);
            }
            finally
            {
                Interlocked.Decrement(ref s_acting);
            }
        }
    }

    [Fact]
    public async Task AFiredFault_ActsOnce_And_IsReportedWithItsCheck()
    {
        await using var engine = new FaultEngine(_bench);
        var trigger = new HandTrigger("at the test's word");
        var action = new HandAction("power off chip2 for 100 ms");
        engine.Arm(new FaultSpec(trigger, action));

        await trigger.WaitStartedAsync(1);
        trigger.Fire(1);
        var outcome = Assert.Single(await engine.OutcomesAsync(Timeout));

        Assert.True(outcome.Fired);
        Assert.Null(outcome.Error);
        Assert.Equal("power off chip2 for 100 ms", outcome.Check?.Fault);
        Assert.Equal(1, action.Runs);
        Assert.Equal("power off chip2 for 100 ms at the test's word", Assert.Single(_bench.Events("fault-armed")).Summary);
        Assert.Single(_bench.Events("fault"));
    }

    [Fact]
    public async Task AFaultWhoseTriggerNeverFires_IsReportedNotFired_And_DisposingEndsItsWait()
    {
        var engine = new FaultEngine(_bench);
        var action = new HandAction("drop 1 frame");
        engine.Arm(new FaultSpec(new HandTrigger("never"), action));

        var outcome = Assert.Single(await engine.OutcomesAsync(TimeSpan.Zero));
        await engine.DisposeAsync();

        Assert.False(outcome.Fired);
        Assert.Null(outcome.Check);
        Assert.Equal(0, action.Runs);
        Assert.Empty(_bench.Events("fault"));
    }

    [Fact]
    public async Task ATriggerFiringWhileAnotherFaultActs_WaitsForItsMomentAgain_AfterThatFaultIsDone()
    {
        await using var engine = new FaultEngine(_bench);
        var first = new HandTrigger("first");
        var second = new HandTrigger("second");
        var acting = new HandAction("long cut") { Holds = true };
        var deferred = new HandAction("short cut");
        engine.Arm(new FaultSpec(first, acting));
        engine.Arm(new FaultSpec(second, deferred));
        await first.WaitStartedAsync(1);
        await second.WaitStartedAsync(1);

        first.Fire(1);
        await acting.Started.Task.WaitAsync(Timeout, Cancel);
        var deferral = _bench.NextAsync("fault-deferred");
        second.Fire(1);
        // While the first fault acts, the second one neither acts nor starts a new wait; it waits for the engine.
        Assert.StartsWith("short cut second", (await deferral.WaitAsync(Timeout, Cancel)).Summary, StringComparison.Ordinal);
        Assert.Equal(1, second.Waits);
        Assert.Equal(0, deferred.Runs);

        acting.Release.TrySetResult();
        await second.WaitStartedAsync(2);
        Assert.Equal(0, deferred.Runs);
        second.Fire(2);
        var outcomes = await engine.OutcomesAsync(Timeout);

        Assert.All(outcomes, o => Assert.True(o.Fired));
        Assert.Equal(1, deferred.Runs);
        Assert.Equal(1, HandAction.MostAtOnce);
    }

    [Fact]
    public async Task AnActionThatFails_IsReportedWithItsError_And_NamedOnTheTimeline()
    {
        await using var engine = new FaultEngine(_bench);
        var trigger = new HandTrigger("now");
        engine.Arm(new FaultSpec(trigger, new HandAction("break the link above chip9", "no relay above chip9")));

        await trigger.WaitStartedAsync(1);
        trigger.Fire(1);
        var outcome = Assert.Single(await engine.OutcomesAsync(Timeout));

        Assert.True(outcome.Fired);
        Assert.Equal("no relay above chip9", outcome.Error);
        var error = Assert.Single(_bench.Events("error"));
        Assert.Contains("fault 'break the link above chip9 now' failed: InvalidOperationException: no relay above chip9", error.Summary, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _bench.DisposeAsync();
}
