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
    private ObjectContainer? _runContainer;

    public string RunId { get; } = Guid.NewGuid().ToString();

    public void Start(IReadOnlyList<FeatureFile> features, IReadOnlyList<PickleInfo> pickles, CancellationToken cancellationToken)
    {
        _clock.Start();
        _runContainer = new ObjectContainer(null);
        _runContainer.RegisterInstance(typeof(CancellationToken), cancellationToken);
        options.ConfigureServices?.Invoke(_runContainer);
        var started = new RunStartedEvent(RunId, DateTimeOffset.UtcNow, bindings, features, pickles);
        Notify(l => l.OnRunStarted(started));
    }

    public void AddErrors(IEnumerable<string> errors) => _errors.AddRange(errors);

    public async Task<PickleResult> RunPickleAsync(PickleInfo pickle, CancellationToken cancellationToken)
    {
        var feature = await OpenFeatureAsync(pickle.Feature).ConfigureAwait(false);
        var result = await new PickleExecutor(bindings, options.Listeners, feature, pickle, cancellationToken).RunAsync().ConfigureAwait(false);
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

    public async Task<RunResult> FinishAsync(bool cancelled)
    {
        foreach (var feature in _openFeatures.Keys.ToList())
        {
            await CloseFeatureAsync(feature).ConfigureAwait(false);
        }

        if (_runContainer is not null)
        {
            _errors.AddRange((await _runContainer.DisposeCreatedAsync().ConfigureAwait(false)).Select(e => e.Message));
        }

        var result = new RunResult(_results.ToList(), _errors.ToList(), _clock.Elapsed, cancelled);
        Notify(l => l.OnRunFinished(result, DateTimeOffset.UtcNow));
        return result;
    }

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

    private void Notify(Action<IRunListener> call)
    {
        foreach (var listener in options.Listeners)
        {
            call(listener);
        }
    }
}
