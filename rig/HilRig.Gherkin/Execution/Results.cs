using System.Globalization;
using System.Text;
using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Execution;

/// <summary>How a step or a pickle ended, in ascending severity (a pickle takes the worst of its steps).</summary>
public enum PickleStatus
{
    /// <summary>Everything passed.</summary>
    Passed,
    /// <summary>Not run, or skipped on purpose (<see cref="SkipScenarioException"/>, <c>IUnitTestRuntimeProvider.TestIgnore</c>).</summary>
    Skipped,
    /// <summary>A step threw Reqnroll's <c>PendingStepException</c>.</summary>
    Pending,
    /// <summary>No step definition matches.</summary>
    Undefined,
    /// <summary>Several step definitions match.</summary>
    Ambiguous,
    /// <summary>A step or hook threw.</summary>
    Failed,
}

/// <summary>The outcome of one planned step.</summary>
/// <param name="Step">The step or hook.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="ErrorMessage">What went wrong, or null.</param>
/// <param name="ErrorType">The exception type's full name, or null.</param>
/// <param name="StackTrace">The exception's stack trace, or null.</param>
/// <param name="Snippet">For undefined steps, a C# binding to start from.</param>
public sealed record StepResult(
    PlannedStep Step,
    PickleStatus Status,
    TimeSpan Duration,
    string? ErrorMessage = null,
    string? ErrorType = null,
    string? StackTrace = null,
    string? Snippet = null);

/// <summary>The outcome of one pickle.</summary>
public sealed class PickleResult
{
    internal PickleResult(PickleInfo pickle, PickleStatus status, IReadOnlyList<StepResult> steps, IReadOnlyList<GherkinAttachment> attachments, TimeSpan duration, string? extraError)
    {
        Pickle = pickle;
        Steps = steps;
        Attachments = attachments;
        Duration = duration;
        Status = status;
        FailedStep = steps.FirstOrDefault(s => s.Status is not PickleStatus.Passed and not PickleStatus.Skipped)
            ?? steps.FirstOrDefault(s => s.Status == PickleStatus.Skipped && s.ErrorMessage is not null);
        ErrorMessage = FailedStep?.ErrorMessage;
        if (extraError is not null)
        {
            Status = PickleStatus.Failed;
            ErrorMessage = ErrorMessage is null ? extraError : ErrorMessage + Environment.NewLine + extraError;
        }
    }

    /// <summary>The pickle.</summary>
    public PickleInfo Pickle { get; }

    /// <summary>The stable pickle id, <c>relative/path.feature:LINE</c>.</summary>
    public string Id => Pickle.Id;

    /// <summary>
    /// How the scenario ended as Reqnroll counts it (a scenario that skipped itself stays Skipped whatever its later
    /// steps are), or Failed when disposing the scenario's objects failed.
    /// </summary>
    public PickleStatus Status { get; }

    /// <summary>True only when <see cref="Status"/> is <see cref="PickleStatus.Passed"/>.</summary>
    public bool Passed => Status == PickleStatus.Passed;

    /// <summary>Every hook and step, in order.</summary>
    public IReadOnlyList<StepResult> Steps { get; }

    /// <summary>Which run of the scenario this is: 0 the first, 1 the first retry (<see cref="RunOptions.Retry"/>).</summary>
    public int Attempt { get; internal init; }

    /// <summary>True when this attempt failed and the scenario runs again: not the scenario's result yet.</summary>
    public bool WillBeRetried { get; internal set; }

    /// <summary>The first step that did not pass (or the step that skipped the scenario), or null.</summary>
    public StepResult? FailedStep { get; }

    /// <summary>The failing step's message, or null.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Wall time of the whole pickle, hooks and disposal included.</summary>
    public TimeSpan Duration { get; }

    /// <summary>What the bindings attached.</summary>
    public IReadOnlyList<GherkinAttachment> Attachments { get; }

    /// <summary>A readable report: status, the failing step with its line, the error and every step's outcome.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Pickle.DisplayName}: {Status} in {Duration.TotalSeconds:0.000} s");
        if (Attempt > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (attempt {Attempt + 1})");
        }
        if (FailedStep is not null)
        {
            var where = FailedStep.Step.Line > 0 ? $" ({Pickle.Feature.Uri}:{FailedStep.Step.Line})" : "";
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {FailedStep.Status} at: {FailedStep.Step.Text}{where}");
        }

        if (ErrorMessage is not null)
        {
            text.AppendLine().Append("  ").Append(ErrorMessage.Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        foreach (var step in Steps)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"    [{step.Status}] {step.Step.Text}");
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Pickle.DisplayName}: {Status}";
}

/// <summary>The outcome of a run.</summary>
/// <param name="Pickles">One result per pickle run, in order.</param>
/// <param name="Errors">Selection, parse and feature-hook errors; each makes the run unsuccessful.</param>
/// <param name="Duration">Wall time of the run.</param>
/// <param name="Cancelled">True when the run stopped early because it was cancelled.</param>
public sealed record RunResult(IReadOnlyList<PickleResult> Pickles, IReadOnlyList<string> Errors, TimeSpan Duration, bool Cancelled)
{
    /// <summary>
    /// The exception that ended the run before its scenarios (binding errors, a failing <c>[BeforeTestRun]</c> hook), as
    /// testRunFinished.exception carries it; null when the run was not stopped by one.
    /// </summary>
    public RunException? Exception { get; init; }

    /// <summary>The run-level hooks that ran (test-run and feature hooks), in order.</summary>
    public IReadOnlyList<RunHookResult> Hooks { get; init; } = [];

    /// <summary>True when every pickle passed or was skipped, nothing else went wrong and the run was not cancelled.</summary>
    public bool Success => !Cancelled && Errors.Count == 0
        && Pickles.All(p => p.Status is PickleStatus.Passed or PickleStatus.Skipped);

    /// <summary>How many pickles ended with a status.</summary>
    public int Count(PickleStatus status) => Pickles.Count(p => p.Status == status);
}

/// <summary>An exception that ended a run, as Cucumber messages carry it.</summary>
/// <param name="Type">The exception type's full name, or <c>HilRig.Gherkin.BindingErrors</c> for binding errors.</param>
/// <param name="Message">What went wrong.</param>
/// <param name="StackTrace">The stack trace, or null.</param>
public sealed record RunException(string Type, string Message, string? StackTrace);

/// <summary>How a run-level hook ended.</summary>
/// <param name="Hook">The hook as it ran.</param>
/// <param name="Status">Passed, Failed or Skipped.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="ErrorMessage">What went wrong, or null.</param>
/// <param name="ErrorType">The exception type's full name, or null.</param>
/// <param name="StackTrace">The exception's stack trace, or null.</param>
public sealed record RunHookResult(
    RunHookExecution Hook,
    PickleStatus Status,
    TimeSpan Duration,
    string? ErrorMessage = null,
    string? ErrorType = null,
    string? StackTrace = null);
