using System.Diagnostics;
using System.Reflection;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Hosting;
using Reqnroll;
using Reqnroll.Bindings;
using Reqnroll.BoDi;
using Reqnroll.Events;
using ReqnrollHookType = Reqnroll.Bindings.HookType;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// One run on Reqnroll: its own Reqnroll test run (a TestRunnerManager with its own global container, binding
/// registry and plugin, not the static per-assembly one), so runs of several runners in one process never share
/// services, bindings or hooks. [BeforeTestRun] runs when the run starts, [AfterTestRun] when it finishes.
/// Pickles run one at a time (the runner's gate); Reqnroll's events reach the pickle that is running.
/// </summary>
internal sealed class RunSession(IReadOnlyList<Assembly> bindingAssemblies, RunOptions options) : IReqnrollHost
{
    private readonly Dictionary<FeatureFile, FeatureInfo> _featureInfos = [];
    private readonly Dictionary<FeatureInfo, string> _failedFeatures = new(ReferenceEqualityComparer.Instance);
    private readonly List<PickleResult> _results = [];
    private readonly List<string> _errors = [];
    private readonly List<RunHookResult> _hooks = [];
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _hookClock = new();
    private readonly ListenerGuard _listeners = new(options.Listeners, options.ListenerErrors);
    private CancellationToken _runCancellation;
    private IObjectContainer? _global;
    private ITestRunnerManager? _manager;
    private TestCasePlanner _planner = new(BindingCatalog.Empty);
    private PickleRun? _current;
    private RunHookExecution? _runningHook;
    private RunException? _exception;
    private RunResult? _finished;
    private bool _testRunStarted;

    public string RunId { get; } = Guid.NewGuid().ToString();

    /// <summary>False when the run cannot run scenarios (its services, its bindings or a [BeforeTestRun] hook failed): it then ends with that error.</summary>
    public bool CanRunPickles { get; private set; } = true;

    public IReadOnlyList<Assembly> BindingAssemblies => bindingAssemblies;

    public IReadOnlyList<string> StepAssemblyPaths => options.StepAssemblies;

    /// <summary>Starts Reqnroll's test run: bindings, the host's services, the run-started report, [BeforeTestRun].</summary>
    public async Task StartAsync(IReadOnlyList<FeatureFile> features, IReadOnlyList<PickleInfo> pickles, CancellationToken cancellationToken)
    {
        _clock.Start();
        _runCancellation = cancellationToken;
        ReqnrollEnvironment.Prepare();
        var catalog = BindingCatalog.Empty;
        try
        {
            _global = new HostContainerBuilder(this).CreateGlobalContainer(typeof(RunSession).Assembly);
            _manager = _global.Resolve<ITestRunnerManager>();
            _manager.Initialize(typeof(RunSession).Assembly);
            _global.RegisterInstanceAs(new TestRunCancellation(cancellationToken));
            options.ConfigureServices?.Invoke(_global);
        }
        catch (Exception exception)
        {
            Stop($"the run's services could not be set up: {exception.GetType().Name}: {exception.Message}", exception);
        }

        if (CanRunPickles && _manager is not null)
        {
            try
            {
                // Takes a worker runner only to build the binding registry before [BeforeTestRun] runs.
                var runner = _manager.GetTestRunner();
                try
                {
                    catalog = CatalogOf(runner.TestThreadContext.TestThreadContainer.Resolve<IBindingRegistry>());
                    _planner = new TestCasePlanner(catalog);
                }
                finally
                {
                    _manager.ReleaseTestRunnerToPool(runner);
                }
            }
            catch (Exception exception)
            {
                Stop($"the step bindings could not be loaded: {exception.GetType().Name}: {exception.Message}", exception);
            }
        }

        if (catalog.Errors.Count > 0)
        {
            // One unknown {type} in any binding would fail every step of every scenario: no scenario runs, and no
            // run-level hook either (the registry hands out none from here on).
            SuppressHooks();
            // The first error on the first line: JUnit names the run error's test case after that line.
            var message = $"the step bindings have errors, so no scenario ran: {string.Join(Environment.NewLine, catalog.Errors.Select(e => System.Text.RegularExpressions.Regex.Replace(e.Trim(), @"\s+", " ")))}";
            _errors.Add(message);
            _exception = new RunException("Reqnroll.BindingException", message, null);
            CanRunPickles = false;
        }

        var started = new RunStartedEvent(RunId, DateTimeOffset.UtcNow, catalog, features, pickles);
        _listeners.Notify(nameof(IRunListener.OnRunStarted), l => l.OnRunStarted(started));

        if (CanRunPickles && _manager is not null)
        {
            try
            {
                _testRunStarted = true;
                await _manager.FireTestRunStartAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Reqnroll would run the scenarios anyway; the rig stops here, and [AfterTestRun] still runs at the end.
                Stop($"a [BeforeTestRun] hook failed, so no scenario ran: {Describe(exception)}", exception);
            }
        }
    }

    public void AddErrors(IEnumerable<string> errors) => _errors.AddRange(errors);

    public async Task<PickleResult> RunPickleAsync(PickleInfo pickle, CancellationToken cancellationToken)
    {
        var model = ReqnrollModel.PickleOf(pickle);
        if (!CanRunPickles || _manager is null)
        {
            var blocked = new PickleRun(_planner.Plan(pickle, null, model, null), model, _listeners, cancellationToken)
                .Block(_errors.Count > 0 ? _errors[^1] : "the run could not start");
            _results.Add(blocked);
            return blocked;
        }

        var featureInfo = FeatureInfoOf(pickle.Feature);
        var runner = _manager.GetTestRunner(featureInfo);
        try
        {
            var featureError = await OpenFeatureAsync(runner, featureInfo, pickle.Feature).ConfigureAwait(false);
            var plan = _planner.Plan(pickle, featureInfo, model, runner.TestThreadContext.TestThreadContainer);
            if (featureError is not null)
            {
                var blocked = new PickleRun(plan, model, _listeners, cancellationToken).Block(featureError);
                _results.Add(blocked);
                return blocked;
            }

            // A failed attempt runs again while retries are left: the same test case, the next attempt (RunOptions.Retry).
            while (true)
            {
                var run = _current = new PickleRun(plan, model, _listeners, cancellationToken, Math.Max(0, options.Retry - plan.Attempt));
                var result = await run.RunAsync(runner).ConfigureAwait(false);
                if (!result.WillBeRetried)
                {
                    _results.Add(result);
                    return result;
                }

                plan = plan.NextAttempt();
            }
        }
        finally
        {
            _current = null;
            _manager.ReleaseTestRunnerToPool(runner);
        }
    }

    /// <summary>The feature's last pickle of the run is done: its [AfterFeature] hooks run now.</summary>
    public async Task CloseFeatureAsync(FeatureFile feature)
    {
        if (_manager is not null && _featureInfos.TryGetValue(feature, out var featureInfo))
        {
            try
            {
                await _manager.EndFeatureForAvailableTestRunnersAsync(featureInfo).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _errors.Add($"an [AfterFeature] hook failed for feature '{feature.Name}' ({feature.Uri}): {Describe(exception)}");
            }
        }
    }

    /// <summary>
    /// Ends Reqnroll's test run (open features' [AfterFeature], [AfterTestRun], the containers) and tells the
    /// listeners the run finished. The end record is always sent, once.
    /// </summary>
    public async Task<RunResult> FinishAsync(bool cancelled)
    {
        if (_finished is not null)
        {
            return _finished;
        }

        if (_manager is not null)
        {
            if (!_testRunStarted)
            {
                // [BeforeTestRun] never ran (the services, the bindings or their loading failed): nor does [AfterTestRun].
                SuppressHooks();
            }

            try
            {
                await _manager.DisposeAsync().ConfigureAwait(false);
            }
            catch (AggregateException exception)
            {
                _errors.AddRange(exception.InnerExceptions.Select(e => $"a run-level hook failed at the end of the run: {Describe(e)}"));
            }
            catch (Exception exception)
            {
                _errors.Add($"an [AfterTestRun] hook failed: {Describe(exception)}");
            }
        }

        var result = _finished = new RunResult(_results.ToList(), _errors.ToList(), _clock.Elapsed, cancelled)
        {
            Exception = _exception,
            Hooks = _hooks.ToList(),
        };
        _listeners.Notify(nameof(IRunListener.OnRunFinished), l => l.OnRunFinished(result, DateTimeOffset.UtcNow));
        return result;
    }

    /// <summary>Records an exception that escaped the runner itself (not a step's: those fail their step) as a run error.</summary>
    public void AddUnexpected(Exception exception) =>
        _errors.Add($"the run stopped early: {exception.GetType().Name}: {exception.Message}");

    public void CustomizeScenario(IObjectContainer scenarioContainer)
    {
        ArgumentNullException.ThrowIfNull(scenarioContainer);
        if (_current is not { } run)
        {
            return;
        }

        scenarioContainer.RegisterInstanceAs(run.Scenario);
        scenarioContainer.ObjectCreated += run.OnObjectCreated;
        options.ConfigureServices?.Invoke(scenarioContainer);
    }

    public Task AfterScenarioHooksAsync() => _current?.DisposeCreatedAsync() ?? Task.CompletedTask;

    public Task OnExecutionEventAsync(IExecutionEvent executionEvent)
    {
        switch (executionEvent)
        {
            case HookBindingStartedEvent hook when IsRunLevel(hook.HookBinding.HookType):
                var execution = _runningHook = new RunHookExecution(Guid.NewGuid().ToString(), _planner.HookOf(hook.HookBinding) ?? new HookInfo("", hook.HookBinding),
                    hook.HookBinding.HookType is ReqnrollHookType.BeforeFeature or ReqnrollHookType.AfterFeature ? hook.ContextManager.FeatureContext?.FeatureInfo.Title : null);
                _hookClock.Restart();
                _listeners.Notify(nameof(IRunListener.OnRunHookStarted), l => l.OnRunHookStarted(execution, DateTimeOffset.UtcNow));
                break;
            case HookBindingFinishedEvent hook when IsRunLevel(hook.HookBinding.HookType) && _runningHook is { } running:
                var error = hook.HookException is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : hook.HookException;
                var result = error is null
                    ? new RunHookResult(running, PickleStatus.Passed, hook.Duration)
                    : new RunHookResult(running, hook.HookStatus == ScenarioExecutionStatus.Skipped ? PickleStatus.Skipped : PickleStatus.Failed, hook.Duration,
                        $"{error.GetType().Name}: {error.Message}", error.GetType().FullName, error.ToString());
                _runningHook = null;
                _hooks.Add(result);
                _listeners.Notify(nameof(IRunListener.OnRunHookFinished), l => l.OnRunHookFinished(result, DateTimeOffset.UtcNow));
                break;
            default:
                _current?.OnEvent(executionEvent);
                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>Opens the pickle's feature on the runner ([BeforeFeature]), closing the one it had open ([AfterFeature]); returns a BeforeFeature error.</summary>
    private async Task<string?> OpenFeatureAsync(ITestRunner runner, FeatureInfo featureInfo, FeatureFile feature)
    {
        if (runner.FeatureContext is { } open && !ReferenceEquals(open.FeatureInfo, featureInfo))
        {
            try
            {
                await runner.OnFeatureEndAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _errors.Add($"an [AfterFeature] hook failed for feature '{open.FeatureInfo.Title}': {Describe(exception)}");
            }
        }

        if (_failedFeatures.TryGetValue(featureInfo, out var failed))
        {
            return failed;
        }

        if (runner.FeatureContext is null)
        {
            try
            {
                await runner.OnFeatureStartAsync(featureInfo).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                return _failedFeatures[featureInfo] = $"a [BeforeFeature] hook failed for feature '{feature.Name}' ({feature.Uri}): {Describe(exception)}";
            }
        }

        return null;
    }

    private FeatureInfo FeatureInfoOf(FeatureFile feature)
    {
        if (!_featureInfos.TryGetValue(feature, out var info))
        {
            info = _featureInfos[feature] = ReqnrollModel.FeatureInfoOf(feature);
        }

        return info;
    }

    private void SuppressHooks() => (_global?.Resolve<IBindingRegistry>() as CucumberOrderBindingRegistry)?.SuppressHooks();

    private void Stop(string message, Exception exception)
    {
        _errors.Add(message);
        _exception ??= new RunException(exception.GetType().FullName ?? exception.GetType().Name, message, exception.ToString());
        CanRunPickles = false;
    }

    internal static BindingCatalog CatalogOf(IBindingRegistry registry)
    {
        // Ids that follow the bindings, not the run: the runs of a parallel run's benches (and a farm's shards) name each
        // step definition and hook alike, so their merged report lists each once (Reporting.CucumberMessagesMerge).
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        string StableId(string kind, Reqnroll.Bindings.Reflection.IBindingMethod method, string detail)
        {
            var text = $"{kind}\n{method.Type.FullName}.{method.Name}({string.Join(",", method.Parameters.Select(p => p.Type.FullName))})\n{detail}";
            var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32];
            var seen = taken[id] = taken.GetValueOrDefault(id) + 1;
            return seen == 1 ? id : $"{id}-{seen}";
        }

        var definitions = registry.GetStepDefinitions().Select(d => new StepDefinitionInfo(StableId("step", d.Method, $"{d.StepDefinitionType} {d.SourceExpression}"), d)).ToList();
        var hooks = registry.GetHooks().Distinct().Select(h => new HookInfo(StableId("hook", h.Method, $"{h.HookType} {h.HookOrder}"), h)).ToList();
        var parameterTypes = registry.GetStepTransformations().Select(t => new ParameterTypeInfo(StableId("parameterType", t.Method, $"{t.Name} {t.Regex}"), t)).ToList();
        var errors = registry.GetErrorMessages().Select(e => e.Message).ToList();
        return new BindingCatalog(definitions, hooks, parameterTypes, errors);
    }

    private static bool IsRunLevel(ReqnrollHookType type) => type is ReqnrollHookType.BeforeTestRun or ReqnrollHookType.AfterTestRun
        or ReqnrollHookType.BeforeFeature or ReqnrollHookType.AfterFeature;

    private static string Describe(Exception exception)
    {
        if (exception is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }

        return $"{exception.GetType().Name}: {exception.Message}";
    }
}
