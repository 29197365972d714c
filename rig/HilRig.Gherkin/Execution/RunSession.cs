using System.Diagnostics;
using HilRig.Gherkin.Bindings;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Injection;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// One run: the run scope, the features that have started (BeforeFeature done, AfterFeature pending), the
/// results so far, and the listeners.
/// </summary>
internal sealed class RunSession(BindingRegistry bindings, RunOptions options)
{
    private readonly Dictionary<FeatureFile, FeatureState> _openFeatures = [];
    private readonly List<PickleResult> _results = [];
    private readonly List<string> _errors = [];
    private readonly Stopwatch _clock = new();
    private readonly ListenerGuard _listeners = new(options.Listeners, options.ListenerErrors);
    private ObjectContainer? _runContainer;
    private RunResult? _finished;

    public string RunId { get; } = Guid.NewGuid().ToString();

    /// <summary>False when the host's services could not be set up: the run then ends at once with that error.</summary>
    public bool CanRunPickles { get; private set; } = true;

    public void Start(IReadOnlyList<FeatureFile> features, IReadOnlyList<PickleInfo> pickles, CancellationToken cancellationToken)
    {
        _clock.Start();
        _runContainer = new ObjectContainer(null);
        _runContainer.RegisterInstance(typeof(CancellationToken), cancellationToken);
        try
        {
            options.ConfigureServices?.Invoke(_runContainer);
        }
        catch (Exception exception)
        {
            // The run still starts and finishes in the reports, with this as its error and no pickle run.
            _errors.Add($"the run's services could not be set up: {exception.GetType().Name}: {exception.Message}");
            CanRunPickles = false;
        }

        var started = new RunStartedEvent(RunId, DateTimeOffset.UtcNow, bindings, features, pickles);
        _listeners.Notify(nameof(IRunListener.OnRunStarted), l => l.OnRunStarted(started));
    }

    public void AddErrors(IEnumerable<string> errors) => _errors.AddRange(errors);

    public async Task<PickleResult> RunPickleAsync(PickleInfo pickle, CancellationToken cancellationToken)
    {
        var feature = await OpenFeatureAsync(pickle.Feature).ConfigureAwait(false);
        var result = await new PickleExecutor(bindings, _listeners, feature, pickle, cancellationToken).RunAsync().ConfigureAwait(false);
        _results.Add(result);
        return result;
    }

    public async Task CloseFeatureAsync(FeatureFile feature)
    {
        if (!_openFeatures.Remove(feature, out var state))
        {
            return;
        }

        foreach (var hook in bindings.HooksFor(HookKind.AfterFeature, feature.Tags))
        {
            var error = await RunFeatureHookAsync(hook, state).ConfigureAwait(false);
            if (error is not null)
            {
                _errors.Add(error);
            }
        }

        var disposalErrors = await state.Container.DisposeCreatedAsync().ConfigureAwait(false);
        _errors.AddRange(disposalErrors.Select(e => $"{feature.Uri}: {e.Message}"));
    }

    /// <summary>
    /// Closes the open features, disposes the run scope and tells the listeners the run finished. The end record is
    /// always sent, once: an AfterFeature hook or a disposal that throws anything becomes a run error instead.
    /// </summary>
    public async Task<RunResult> FinishAsync(bool cancelled)
    {
        if (_finished is not null)
        {
            return _finished;
        }

        try
        {
            foreach (var feature in _openFeatures.Keys.ToList())
            {
                await CloseFeatureAsync(feature).ConfigureAwait(false);
            }

            if (_runContainer is not null)
            {
                _errors.AddRange((await _runContainer.DisposeCreatedAsync().ConfigureAwait(false)).Select(e => e.Message));
            }
        }
        catch (Exception exception)
        {
            AddUnexpected(exception);
        }

        var result = _finished = new RunResult(_results.ToList(), _errors.ToList(), _clock.Elapsed, cancelled);
        _listeners.Notify(nameof(IRunListener.OnRunFinished), l => l.OnRunFinished(result, DateTimeOffset.UtcNow));
        return result;
    }

    /// <summary>Records an exception that escaped the runner itself (not a step's: those fail their step) as a run error.</summary>
    public void AddUnexpected(Exception exception) =>
        _errors.Add($"the run stopped early: {exception.GetType().Name}: {exception.Message}");

    private async Task<FeatureState> OpenFeatureAsync(FeatureFile feature)
    {
        if (_openFeatures.TryGetValue(feature, out var state))
        {
            return state;
        }

        state = new FeatureState(feature, _runContainer ?? throw new InvalidOperationException("The run has not started."));
        state.Container.RegisterInstance(typeof(FeatureContext), state.Context);
        _openFeatures[feature] = state;
        foreach (var hook in bindings.HooksFor(HookKind.BeforeFeature, feature.Tags))
        {
            state.BeforeFeatureError = await RunFeatureHookAsync(hook, state).ConfigureAwait(false);
            if (state.BeforeFeatureError is not null)
            {
                break;
            }
        }

        return state;
    }

    /// <summary>Runs a static feature hook with its parameters injected from the feature scope; returns the error or null.</summary>
    private static async Task<string?> RunFeatureHookAsync(HookBinding hook, FeatureState state)
    {
        try
        {
            if (!hook.Method.IsStatic)
            {
                throw new InvalidOperationException("feature hooks must be static (as in Reqnroll); inject FeatureContext or services as parameters.");
            }

            var arguments = hook.Method.GetParameters().Select(p => state.Container.Resolve(p.ParameterType)).ToArray();
            await MethodInvoker.InvokeAsync(hook.Method, null, arguments).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception)
        {
            return $"{hook.Kind} hook {hook.DisplayName} failed for feature '{state.Feature.Name}' ({state.Feature.Uri}): {exception.GetType().Name}: {exception.Message}";
        }
    }
}
