using HilRig.Core.Bench;
using HilRig.Core.Verification;

namespace HilRig.Core.Faults;

/// <summary>One fault: when it fires and what it does.</summary>
public sealed record FaultSpec(IFaultTrigger Trigger, IFaultAction Action)
{
    /// <summary>"power off chip2 for 500 ms at 50% of chip2's transfer".</summary>
    public string Description => $"{Action.Description} {Trigger.Description}";
}

/// <summary>What became of one armed fault.</summary>
public sealed record FaultOutcome(FaultSpec Fault, bool Fired, double? FiredAtMs, RecoveryCheck? Check, string? Error);

/// <summary>
/// Arms faults on a bench: each waits for its trigger in the background, then runs its action; every
/// firing and every recovery check goes to the timeline.
/// </summary>
public sealed class FaultEngine(IBench bench) : IAsyncDisposable
{
    private readonly List<(FaultSpec Spec, Task<FaultOutcome> Run)> _armed = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _acting = new(1, 1);
    private ChainObserver? _observer;

    /// <summary>The observer the engine's power cuts compare against (created on first use).</summary>
    public ChainObserver Observer => _observer ??= new ChainObserver(bench);

    /// <summary>Arms a fault.</summary>
    public void Arm(FaultSpec fault)
    {
        var context = new FaultContext(bench, Observer, new RecoveryVerifier(bench, Observer));
        bench.Timeline.Add("rig", "fault-armed", fault.Description);
        _armed.Add((fault, Task.Run(() => RunAsync(fault, context, _stop.Token))));
    }

    /// <summary>Every fault armed so far.</summary>
    public IReadOnlyList<FaultSpec> Armed => _armed.Select(a => a.Spec).ToList();

    private async Task<FaultOutcome> RunAsync(FaultSpec fault, FaultContext context, CancellationToken token)
    {
        while (true)
        {
            try
            {
                await fault.Trigger.WaitAsync(bench, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new FaultOutcome(fault, false, null, null, null);
            }
            // One fault acts at a time. A trigger that fires while another fault is acting saw traffic
            // from before that fault (frames in flight when the power went): it waits for its moment again.
            if (!await _acting.WaitAsync(0, token).ConfigureAwait(false))
            {
                bench.Timeline.Add("rig", "fault-deferred", $"{fault.Description}: fired while another fault was acting; waiting for its moment again");
                await _acting.WaitAsync(token).ConfigureAwait(false);
                _acting.Release();
                continue;
            }
            try
            {
                return await ActAsync(fault, context, token).ConfigureAwait(false);
            }
            finally
            {
                _acting.Release();
            }
        }
    }

    private async Task<FaultOutcome> ActAsync(FaultSpec fault, FaultContext context, CancellationToken token)
    {
        var at = bench.Timeline.NowMs;
        bench.Timeline.Add("rig", "fault", $"{fault.Action.Description} ({fault.Trigger.Description})");
        try
        {
            var check = await fault.Action.RunAsync(context, token).ConfigureAwait(false);
            return new FaultOutcome(fault, true, at, check, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // The type and the innermost frame go to the timeline too: a fault that breaks is a rig bug to report.
            var where = ex.StackTrace?.Split('\n', 2)[0].Trim();
            bench.Timeline.Add("rig", "error", $"fault '{fault.Description}' failed: {ex.GetType().Name}: {ex.Message}{(where is null ? "" : $" ({where})")}");
            return new FaultOutcome(fault, true, at, null, ex.Message);
        }
    }

    /// <summary>
    /// The outcomes of faults that fired and finished; a fault whose trigger never fired is reported as
    /// not fired. Waits up to <paramref name="timeout"/> for actions under way (a power cut's recovery).
    /// </summary>
    public async Task<IReadOnlyList<FaultOutcome>> OutcomesAsync(TimeSpan timeout)
    {
        var results = new List<FaultOutcome>();
        foreach (var (spec, run) in _armed)
        {
            if (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(timeout)).ConfigureAwait(false);
            }
            results.Add(run.IsCompletedSuccessfully ? run.Result : new FaultOutcome(spec, false, null, null, run.IsCompleted ? run.Exception?.Message : null));
        }
        return results;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var (_, run) in _armed)
        {
            await ((Task)run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _observer?.Dispose();
        _stop.Dispose();
        _acting.Dispose();
    }
}
