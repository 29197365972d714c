using System.Diagnostics;
using HilRig.Gherkin.Bindings;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Injection;

namespace HilRig.Gherkin.Execution;

/// <summary>Runs one pickle: before hooks, steps (skipping the rest after the first that does not pass), after hooks, disposal.</summary>
internal sealed class PickleExecutor(
    BindingRegistry bindings,
    ListenerGuard listeners,
    FeatureState feature,
    PickleInfo pickle,
    CancellationToken cancellationToken)
{
    private readonly List<GherkinAttachment> _attachments = [];
    private PlannedStep? _currentStep;
    private TestCasePlan? _plan;

    public async Task<PickleResult> RunAsync()
    {
        var plan = _plan = Plan();
        var clock = Stopwatch.StartNew();
        listeners.Notify(nameof(IRunListener.OnPickleStarted), l => l.OnPickleStarted(plan, DateTimeOffset.UtcNow));

        await using var container = new ObjectContainer(feature.Container);
        container.RegisterInstance(typeof(CancellationToken), cancellationToken);
        var context = new ScenarioContext(pickle.Id, pickle.Name, pickle.Tags, feature.Context, cancellationToken, Attach);
        container.RegisterInstance(typeof(ScenarioContext), context);

        var results = new List<StepResult>();
        var skipping = false;
        foreach (var step in plan.Steps)
        {
            _currentStep = step;
            listeners.Notify(nameof(IRunListener.OnStepStarted), l => l.OnStepStarted(plan, step, DateTimeOffset.UtcNow));
            StepResult result;
            if (feature.BeforeFeatureError is { } featureError)
            {
                result = results.Count == 0
                    ? new StepResult(step, PickleStatus.Failed, TimeSpan.Zero, featureError)
                    : new StepResult(step, PickleStatus.Skipped, TimeSpan.Zero);
            }
            else if (skipping && step.Kind != PlannedStepKind.AfterScenarioHook)
            {
                result = NotRun(step);
            }
            else
            {
                result = await ExecuteAsync(step, container).ConfigureAwait(false);
                skipping |= result.Status != PickleStatus.Passed;
            }

            results.Add(result);
            listeners.Notify(nameof(IRunListener.OnStepFinished), l => l.OnStepFinished(plan, result, DateTimeOffset.UtcNow));
        }

        _currentStep = null;
        var disposalErrors = await container.DisposeCreatedAsync().ConfigureAwait(false);
        var extraError = disposalErrors.Count == 0 ? null : string.Join(Environment.NewLine, disposalErrors.Select(e => e.Message));
        var pickleResult = new PickleResult(pickle, results, _attachments.ToList(), clock.Elapsed, extraError);
        listeners.Notify(nameof(IRunListener.OnPickleFinished), l => l.OnPickleFinished(plan, pickleResult, DateTimeOffset.UtcNow));
        return pickleResult;
    }

    private TestCasePlan Plan()
    {
        var steps = new List<PlannedStep>();
        steps.AddRange(bindings.HooksFor(HookKind.BeforeScenario, pickle.Tags)
            .Select(h => new PlannedStep(NewId(), PlannedStepKind.BeforeScenarioHook, h, null, "", 0, [])));
        foreach (var pickleStep in pickle.Pickle.Steps)
        {
            var (keyword, line) = pickle.Feature.DescribeStep(pickleStep);
            var matches = bindings.FindMatches(pickleStep.Type, pickleStep.Text);
            steps.Add(new PlannedStep(NewId(), PlannedStepKind.Step, null, pickleStep, keyword, line, matches));
        }

        steps.AddRange(bindings.HooksFor(HookKind.AfterScenario, pickle.Tags)
            .Select(h => new PlannedStep(NewId(), PlannedStepKind.AfterScenarioHook, h, null, "", 0, [])));
        return new TestCasePlan(NewId(), NewId(), pickle, steps);
    }

    private async Task<StepResult> ExecuteAsync(PlannedStep step, ObjectContainer container)
    {
        if (step.PickleStep is not null && step.Matches.Count != 1)
        {
            return NotRun(step);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var method = step.Hook?.Method ?? step.Matches[0].Binding.Method;
            var target = method.IsStatic ? null : container.Resolve(method.DeclaringType!);
            var arguments = step.Hook is not null
                ? method.GetParameters().Select(p => container.Resolve(p.ParameterType)).ToArray()
                : StepArguments.Bind(step.Matches[0], step.PickleStep!);
            await MethodInvoker.InvokeAsync(method, target, arguments).ConfigureAwait(false);
            return new StepResult(step, PickleStatus.Passed, clock.Elapsed);
        }
        catch (PendingStepException exception)
        {
            return new StepResult(step, PickleStatus.Pending, clock.Elapsed, exception.Message, exception.GetType().FullName);
        }
        catch (SkipScenarioException exception)
        {
            return new StepResult(step, PickleStatus.Skipped, clock.Elapsed, exception.Message, exception.GetType().FullName);
        }
        catch (Exception exception)
        {
            return new StepResult(step, PickleStatus.Failed, clock.Elapsed, $"{exception.GetType().Name}: {exception.Message}",
                exception.GetType().FullName, exception.ToString());
        }
    }

    /// <summary>A step that is not executed: still reported undefined or ambiguous, so the snippet shows up.</summary>
    private static StepResult NotRun(PlannedStep step)
    {
        if (step.PickleStep is not { } pickleStep)
        {
            return new StepResult(step, PickleStatus.Skipped, TimeSpan.Zero);
        }

        if (step.Matches.Count == 0)
        {
            var snippet = StepSnippet.Create(pickleStep.Type, pickleStep.Text,
                pickleStep.Argument?.DataTable is not null, pickleStep.Argument?.DocString is not null);
            return new StepResult(step, PickleStatus.Undefined, TimeSpan.Zero,
                $"No step definition matches \"{step.Text}\" (line {step.Line}). You can implement it with:{Environment.NewLine}{snippet}",
                Snippet: snippet);
        }

        if (step.Matches.Count > 1)
        {
            var candidates = string.Join(Environment.NewLine, step.Matches.Select(m => "  " + m.Binding));
            return new StepResult(step, PickleStatus.Ambiguous, TimeSpan.Zero,
                $"Step \"{step.Text}\" (line {step.Line}) matches {step.Matches.Count} step definitions:{Environment.NewLine}{candidates}");
        }

        return new StepResult(step, PickleStatus.Skipped, TimeSpan.Zero);
    }

    private void Attach(GherkinAttachment attachment)
    {
        _attachments.Add(attachment);
        var step = _currentStep;
        listeners.Notify(nameof(IRunListener.OnAttachment), l => l.OnAttachment(_plan!, step, attachment));
    }

    private static string NewId() => Guid.NewGuid().ToString();
}
