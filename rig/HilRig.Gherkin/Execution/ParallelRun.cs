using System.Reflection;
using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Execution;

/// <summary>One bench of a parallel run: its name (in reports and on the console) and its run's options (its listeners, its services).</summary>
/// <param name="Name">The bench's name, e.g. sim-chain#2.</param>
/// <param name="Options">The options of the bench's own run.</param>
public sealed record BenchRun(string Name, RunOptions Options);

/// <summary>
/// Runs a selection on several benches at once: one <see cref="GherkinRunner"/> (one Reqnroll test run, its own
/// listeners and services) per bench, each taking the next pickle of one <see cref="PickleSchedule"/> when it is free.
/// The selection's errors (a feature in a named folder that does not parse) go to the first bench's run.
/// </summary>
public static class ParallelRun
{
    /// <summary>Runs every pickle of <paramref name="schedule"/> on <paramref name="benches"/>; the results in the order of <paramref name="benches"/>.</summary>
    public static async Task<IReadOnlyList<RunResult>> RunAsync(IReadOnlyList<Assembly> bindingAssemblies, ResolvedSelection selection,
        PickleSchedule schedule, IReadOnlyList<BenchRun> benches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bindingAssemblies);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(benches);
        if (benches.Count == 0) throw new ArgumentException("a parallel run needs at least one bench", nameof(benches));
        var runs = benches.Select(async (bench, index) =>
        {
            await using var runner = new GherkinRunner(bindingAssemblies, bench.Options);
            return await runner.RunScheduledAsync(schedule, index == 0 ? selection.Errors : [], bench.Options, cancellationToken).ConfigureAwait(false);
        }).ToList();
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }
}
