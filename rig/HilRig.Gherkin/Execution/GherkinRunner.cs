using System.Reflection;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// Runs Gherkin features on Reqnroll's runtime against the Reqnroll <c>[Binding]</c> classes of the given assemblies
/// (and of <see cref="RunOptions.StepAssemblies"/>), one pickle at a time. Use <see cref="RunAsync"/> for a whole
/// selection (the CLI), or <see cref="RunPickleAsync(string, CancellationToken)"/> to run pickles one by one (one
/// xunit test case each). Each <see cref="RunAsync"/>, and the pickle-by-pickle run that lasts until the runner is
/// disposed, is one Reqnroll test run of its own: [BeforeTestRun] runs when it starts and [AfterTestRun] when it ends,
/// whatever other runners of the process do.
/// </summary>
public sealed class GherkinRunner : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, FeatureFile> _loadedFeatures = new(StringComparer.Ordinal);
    private RunSession? _session;

    /// <summary>
    /// Keeps the assemblies; Reqnroll reads their bindings when a run starts, and a binding error (an undefined
    /// <c>{type}</c>) then ends that run with one clear error instead of running anything.
    /// </summary>
    public GherkinRunner(IEnumerable<Assembly> bindingAssemblies, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bindingAssemblies);
        BindingAssemblies = bindingAssemblies.Distinct().ToList();
        Options = options ?? new RunOptions();
    }

    /// <summary>The binding assemblies given as objects.</summary>
    public IReadOnlyList<Assembly> BindingAssemblies { get; }

    /// <summary>The options used by <see cref="RunPickleAsync(string, CancellationToken)"/> and by <see cref="RunAsync"/> when it gets none.</summary>
    public RunOptions Options { get; }

    /// <summary>
    /// Runs the selected pickles in order and reports to the listeners as it goes. A bad tag expression throws
    /// <see cref="GherkinException"/>; missing paths and parse errors end up in <see cref="RunResult.Errors"/>.
    /// On cancellation the current pickle finishes (its steps see the token), the rest do not start, and the
    /// result says <see cref="RunResult.Cancelled"/>. Once started, the run always ends with
    /// <see cref="IRunListener.OnRunFinished"/>, whatever a step, a hook or a listener throws.
    /// </summary>
    public async Task<RunResult> RunAsync(PickleSelection selection, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        options ??= Options;
        var resolved = selection.Resolve(options.BaseDirectory);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = new RunSession(BindingAssemblies, options);
            session.AddErrors(resolved.Errors);
            var lastPickleOfFeature = resolved.Pickles.GroupBy(p => p.Feature).ToDictionary(g => g.Key, g => g.Last());
            try
            {
                await session.StartAsync(resolved.Features, resolved.Pickles, cancellationToken).ConfigureAwait(false);
                foreach (var pickle in resolved.Pickles)
                {
                    if (cancellationToken.IsCancellationRequested || !session.CanRunPickles)
                    {
                        break;
                    }

                    await session.RunPickleAsync(pickle, cancellationToken).ConfigureAwait(false);
                    if (lastPickleOfFeature[pickle.Feature] == pickle)
                    {
                        await session.CloseFeatureAsync(pickle.Feature).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelled between steps of the runner itself: the run ends as cancelled below.
            }
            catch (Exception exception)
            {
                // Steps and hooks catch their own exceptions; whatever escapes the runner still ends the run with
                // its end record (testRunFinished, the closed junit.xml), as a run error.
                session.AddUnexpected(exception);
            }

            return await session.FinishAsync(cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs pickles taken one at a time from <paramref name="schedule"/>, which other runners (other benches) share,
    /// until it has none left: one bench of a <see cref="ParallelRun"/>. Features are reported as their first pickle
    /// starts; a feature whose pickles this runner takes apart from each other is opened again ([BeforeFeature] and
    /// [AfterFeature] run once per stretch, as they do for a feature split across Reqnroll's parallel workers).
    /// <paramref name="errors"/> are the selection's errors this run reports. Ends as <see cref="RunAsync"/> does.
    /// </summary>
    public async Task<RunResult> RunScheduledAsync(PickleSchedule schedule, IReadOnlyList<string> errors, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(errors);
        options ??= Options;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = new RunSession(BindingAssemblies, options);
            session.AddErrors(errors);
            try
            {
                await session.StartAsync([], [], cancellationToken).ConfigureAwait(false);
                while (!cancellationToken.IsCancellationRequested && await schedule.NextAsync(cancellationToken).ConfigureAwait(false) is { } pickle)
                {
                    try
                    {
                        await session.RunPickleAsync(pickle, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        schedule.Finished();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelled while waiting for a pickle or between steps of the runner: the run ends as cancelled below.
            }
            catch (Exception exception)
            {
                session.AddUnexpected(exception);
            }

            return await session.FinishAsync(cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs one pickle by its id (<c>relative/path.feature:LINE</c>, relative to <see cref="RunOptions.BaseDirectory"/>),
    /// inside a run that lasts until the runner is disposed. Throws <see cref="GherkinException"/> when the file does
    /// not parse or no pickle has that line.
    /// </summary>
    public async Task<PickleResult> RunPickleAsync(string pickleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pickleId);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pickle = FindPickle(pickleId);
            if (_session is null)
            {
                _session = new RunSession(BindingAssemblies, Options);
                await _session.StartAsync([], [], CancellationToken.None).ConfigureAwait(false);
            }

            return await _session.RunPickleAsync(pickle, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the pickle-by-pickle run, if any: [AfterFeature] and [AfterTestRun] hooks, disposal, and the run-finished report.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_session is not null)
            {
                await _session.FinishAsync(cancelled: false).ConfigureAwait(false);
                _session = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private PickleInfo FindPickle(string pickleId)
    {
        if (!PickleInfo.TryParseId(pickleId, out var path, out var line))
        {
            throw new GherkinException($"'{pickleId}' is not a pickle id; expected relative/path.feature:LINE.");
        }

        if (!_loadedFeatures.TryGetValue(path, out var feature))
        {
            feature = FeatureLoader.Load(path, Options.BaseDirectory);
            _loadedFeatures[path] = feature;
        }

        return feature.Pickles.FirstOrDefault(p => p.Line == line)
            ?? throw new GherkinException($"{pickleId}: no scenario or Examples row starts at line {line} (the file has pickles at lines {string.Join(", ", feature.Pickles.Select(p => p.Line))}).");
    }
}
