using System.Diagnostics;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Hosting;
using Reqnroll;
using Reqnroll.Bindings;
using Reqnroll.Events;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// One pickle through Reqnroll's test runner, as its generated tests drive it (OnScenarioInitialize,
/// OnScenarioStartAsync, Given/When/ThenAsync per step, CollectScenarioErrorsAsync, OnScenarioEndAsync), with the
/// results of the planned steps taken from Reqnroll's execution events as they come.
/// </summary>
internal sealed class PickleRun(
    TestCasePlan plan,
    ReqnrollPickle model,
    ListenerGuard listeners,
    CancellationToken cancellationToken,
    int retriesLeft = 0)
{
    private readonly List<StepResult> _results = [];
    private readonly List<GherkinAttachment> _attachments = [];
    private readonly List<IAsyncDisposable> _created = [];
    private readonly List<string> _disposalErrors = [];
    private readonly HashSet<Exception> _afterHookErrors = new(ReferenceEqualityComparer.Instance);
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _stepClock = new();
    private int _next;
    private PlannedStep? _current;

    public TestCasePlan Plan => plan;

    private ScenarioRun? _scenario;

    /// <summary>The per-scenario object bindings receive (attachments go to the step that is running).</summary>
    public ScenarioRun Scenario => _scenario ??= new ScenarioRun(
        plan.Pickle.Id,
        plan.Pickle.Name,
        plan.Pickle.Tags,
        new ScenarioFeature(plan.Pickle.Feature.Name, plan.Pickle.Feature.Uri, plan.Pickle.Feature.Tags, plan.Pickle.Feature.Description),
        cancellationToken,
        Attach);

    /// <summary>Runs the pickle on <paramref name="runner"/> (its feature already open) and reports it.</summary>
    public async Task<PickleResult> RunAsync(ITestRunner runner)
    {
        Start();
        string? extraError = null;
        var status = ScenarioExecutionStatus.OK;
        try
        {
            runner.OnScenarioInitialize(model.ScenarioInfo, model.RuleInfo);
            if (model.IsIgnored)
            {
                await runner.SkipScenarioAsync().ConfigureAwait(false);
            }
            else
            {
                await runner.OnScenarioStartAsync().ConfigureAwait(false);
                foreach (var step in model.Steps)
                {
                    // Never throws with StopAtFirstError off: the outcome comes as a StepFinishedEvent.
                    await (step.Keyword switch
                    {
                        StepDefinitionKeyword.Given => runner.GivenAsync(step.Text, step.DocString, step.Table, step.KeywordText),
                        StepDefinitionKeyword.When => runner.WhenAsync(step.Text, step.DocString, step.Table, step.KeywordText),
                        _ => runner.ThenAsync(step.Text, step.DocString, step.Table, step.KeywordText),
                    }).ConfigureAwait(false);
                }
            }

            try
            {
                // Throws the scenario's error, or our provider's skip/pending: the status below says which.
                await runner.CollectScenarioErrorsAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Reported through the steps' events and the status.
            }
        }
        catch (Exception exception)
        {
            // Outside any step: the scenario container could not be set up (the host's services), or a block hook failed.
            extraError = $"{exception.GetType().Name}: {exception.Message}";
        }
        finally
        {
            status = runner.ScenarioContext?.ScenarioExecutionStatus ?? ScenarioExecutionStatus.TestError;
            try
            {
                // [AfterScenario] hooks (they run even after a failure), then our async disposal, then the container.
                await runner.OnScenarioEndAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (!_afterHookErrors.Contains(exception))
            {
                // Not a hook's (those fail their step): BoDi disposing the scenario's IDisposable objects threw.
                _disposalErrors.Add($"Disposing the scenario's objects failed: {exception.GetType().Name}: {exception.Message}");
            }
            catch (Exception)
            {
                // An after hook failed: its step says so, and the status below.
            }

            await DisposeCreatedAsync().ConfigureAwait(false);
        }

        return Finish(StatusOf(status), extraError);
    }

    /// <summary>Reports the pickle as not run because of <paramref name="error"/> (a failed BeforeFeature hook, a run that could not start).</summary>
    public PickleResult Block(string error)
    {
        Start();
        var first = true;
        while (_next < plan.Steps.Count)
        {
            var step = plan.Steps[_next++];
            Notify(step, first ? new StepResult(step, PickleStatus.Failed, TimeSpan.Zero, error) : new StepResult(step, PickleStatus.Skipped, TimeSpan.Zero));
            first = false;
        }

        return Finish(PickleStatus.Failed, first ? error : null);
    }

    /// <summary>Tracks an object the scenario container created, to dispose it asynchronously at the scenario's end.</summary>
    public void OnObjectCreated(object created)
    {
        if (created is IAsyncDisposable disposable)
        {
            _created.Add(disposable);
        }
    }

    /// <summary>After the [AfterScenario] hooks: DisposeAsync on what the scenario created, newest first; errors are kept for the result.</summary>
    public async Task DisposeCreatedAsync()
    {
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            try
            {
                await _created[i].DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _disposalErrors.Add($"Disposing {_created[i].GetType().Name} failed: {exception.GetType().Name}: {exception.Message}");
            }
        }

        _created.Clear();
    }

    public void OnEvent(IExecutionEvent executionEvent)
    {
        switch (executionEvent)
        {
            case HookBindingStartedEvent { HookBinding.HookType: Reqnroll.Bindings.HookType.BeforeScenario or Reqnroll.Bindings.HookType.AfterScenario } hook:
                StartNext(s => s.Hook is not null && s.Hook.Binding.Method.Equals(hook.HookBinding.Method)
                    && (s.Kind == PlannedStepKind.BeforeScenarioHook) == (hook.HookBinding.HookType == Reqnroll.Bindings.HookType.BeforeScenario));
                break;
            case HookBindingFinishedEvent { HookBinding.HookType: Reqnroll.Bindings.HookType.BeforeScenario or Reqnroll.Bindings.HookType.AfterScenario } hook
                when _current?.Hook is not null:
                if (hook.HookException is not null)
                {
                    _afterHookErrors.Add(hook.HookException);
                }

                FinishCurrent(ResultOf(_current, hook.HookStatus, hook.HookException, hook.Duration));
                break;
            case StepStartedEvent:
                StartNext(s => s.Kind == PlannedStepKind.Step);
                break;
            case StepFinishedEvent step when _current?.Kind == PlannedStepKind.Step:
                var status = step.StepContext.Status;
                // A scenario that skipped itself stays skipped: a later step with no definition is not run, so it is
                // reported skipped (its snippet still goes out as a suggestion), not undefined.
                if (status == ScenarioExecutionStatus.UndefinedStep && step.ScenarioContext.ScenarioExecutionStatus == ScenarioExecutionStatus.Skipped)
                {
                    status = ScenarioExecutionStatus.Skipped;
                }

                FinishCurrent(ResultOf(_current, status, step.StepContext.StepError, _stepClock.Elapsed));
                break;
            case OutputAddedEvent output:
                Attach(new GherkinAttachment(null, "text/x.cucumber.log+plain", output.Text, null, DateTimeOffset.UtcNow));
                break;
            case AttachmentAddedEvent file:
                Attach(FileAttachment(file.FilePath));
                break;
        }
    }

    private void Start()
    {
        _clock.Start();
        listeners.Notify(nameof(IRunListener.OnPickleStarted), l => l.OnPickleStarted(plan, DateTimeOffset.UtcNow));
    }

    private PickleResult Finish(PickleStatus status, string? extraError)
    {
        // Planned steps Reqnroll never reached (hooks after one that failed or skipped) end as skipped.
        while (_next < plan.Steps.Count)
        {
            var step = plan.Steps[_next++];
            Notify(step, new StepResult(step, PickleStatus.Skipped, TimeSpan.Zero));
        }

        if (status == PickleStatus.Failed && _results.Any(r => r.Status == PickleStatus.Ambiguous) && !_results.Any(r => r.Status == PickleStatus.Failed))
        {
            status = PickleStatus.Ambiguous;
        }

        // An [AfterScenario] hook that failed fails the scenario, also one that passed or skipped before it.
        if (status is PickleStatus.Passed or PickleStatus.Skipped && _results.Any(r => r.Status == PickleStatus.Failed))
        {
            status = PickleStatus.Failed;
        }

        var errors = _disposalErrors.Prepend(extraError).OfType<string>().ToList();
        var result = new PickleResult(plan.Pickle, status, _results.ToList(), _attachments.ToList(), _clock.Elapsed,
            errors.Count == 0 ? null : string.Join(Environment.NewLine, errors)) { Attempt = plan.Attempt };
        result.WillBeRetried = retriesLeft > 0 && result.Status == PickleStatus.Failed && !cancellationToken.IsCancellationRequested;
        listeners.Notify(nameof(IRunListener.OnPickleFinished), l => l.OnPickleFinished(plan, result, DateTimeOffset.UtcNow));
        return result;
    }

    private void StartNext(Func<PlannedStep, bool> fits)
    {
        var index = _next;
        while (index < plan.Steps.Count && !fits(plan.Steps[index]))
        {
            index++;
        }

        if (index == plan.Steps.Count)
        {
            return;
        }

        while (_next < index)
        {
            var skipped = plan.Steps[_next++];
            Notify(skipped, new StepResult(skipped, PickleStatus.Skipped, TimeSpan.Zero));
        }

        _next = index + 1;
        _current = plan.Steps[index];
        _stepClock.Restart();
        var step = _current;
        listeners.Notify(nameof(IRunListener.OnStepStarted), l => l.OnStepStarted(plan, step, DateTimeOffset.UtcNow));
    }

    private void FinishCurrent(StepResult result)
    {
        _current = null;
        _results.Add(result);
        listeners.Notify(nameof(IRunListener.OnStepFinished), l => l.OnStepFinished(plan, result, DateTimeOffset.UtcNow));
    }

    private void Notify(PlannedStep step, StepResult result)
    {
        listeners.Notify(nameof(IRunListener.OnStepStarted), l => l.OnStepStarted(plan, step, DateTimeOffset.UtcNow));
        _results.Add(result);
        listeners.Notify(nameof(IRunListener.OnStepFinished), l => l.OnStepFinished(plan, result, DateTimeOffset.UtcNow));
    }

    private StepResult ResultOf(PlannedStep step, ScenarioExecutionStatus status, Exception? error, TimeSpan duration)
    {
        var where = step.Line > 0 ? $" (line {step.Line})" : "";
        return status switch
        {
            ScenarioExecutionStatus.OK => new StepResult(step, PickleStatus.Passed, duration),
            ScenarioExecutionStatus.Skipped => error is SkipScenarioException or System.Reflection.TargetInvocationException { InnerException: SkipScenarioException }
                ? new StepResult(step, PickleStatus.Skipped, duration, (error as SkipScenarioException ?? error.InnerException)!.Message, typeof(SkipScenarioException).FullName, Snippet: step.Snippet)
                : new StepResult(step, PickleStatus.Skipped, duration, Snippet: step.Snippet),
            ScenarioExecutionStatus.StepDefinitionPending => new StepResult(step, PickleStatus.Pending, duration, error?.Message ?? "The step is pending.", error?.GetType().FullName),
            ScenarioExecutionStatus.UndefinedStep => new StepResult(step, PickleStatus.Undefined, duration,
                $"No step definition matches \"{step.Text}\"{where}. You can implement it with:{Environment.NewLine}{step.Snippet}", Snippet: step.Snippet),
            ScenarioExecutionStatus.BindingError when error is AmbiguousBindingException || step.Matches.Count > 1 => new StepResult(step, PickleStatus.Ambiguous, duration,
                $"Step \"{step.Text}\"{where} matches {step.Matches.Count} step definitions:{Environment.NewLine}{string.Join(Environment.NewLine, step.Matches.Select(m => "  " + m.Definition))}",
                error?.GetType().FullName),
            _ => Failed(step, error, duration),
        };
    }

    private static StepResult Failed(PlannedStep step, Exception? error, TimeSpan duration)
    {
        if (error is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            error = inner;
        }

        return error is null
            ? new StepResult(step, PickleStatus.Failed, duration, "failed without an exception")
            : new StepResult(step, PickleStatus.Failed, duration, $"{error.GetType().Name}: {error.Message}", error.GetType().FullName, error.ToString());
    }

    private void Attach(GherkinAttachment attachment)
    {
        _attachments.Add(attachment);
        var step = _current;
        listeners.Notify(nameof(IRunListener.OnAttachment), l => l.OnAttachment(plan, step, attachment));
    }

    private static GherkinAttachment FileAttachment(string path)
    {
        try
        {
            return new GherkinAttachment(Path.GetFileName(path), Reqnroll.Formatters.PayloadProcessing.FileExtensionToMimeTypeMap.GetMimeType(Path.GetExtension(path)),
                null, File.ReadAllBytes(path), DateTimeOffset.UtcNow);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new GherkinAttachment(Path.GetFileName(path), "text/plain", $"the attached file {path} could not be read: {exception.Message}", null, DateTimeOffset.UtcNow);
        }
    }

    private static PickleStatus StatusOf(ScenarioExecutionStatus status) => status switch
    {
        ScenarioExecutionStatus.OK => PickleStatus.Passed,
        ScenarioExecutionStatus.Skipped => PickleStatus.Skipped,
        ScenarioExecutionStatus.StepDefinitionPending => PickleStatus.Pending,
        ScenarioExecutionStatus.UndefinedStep => PickleStatus.Undefined,
        _ => PickleStatus.Failed,
    };
}
