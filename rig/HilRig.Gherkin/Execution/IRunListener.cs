using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// Receives the run as it happens (report writers, console progress). Calls come in order, from one task at a
/// time. Every method has an empty default so a listener implements only what it needs.
/// </summary>
public interface IRunListener
{
    /// <summary>
    /// The run starts. <see cref="RunStartedEvent.Pickles"/> lists what will run when known up front; when pickles
    /// are run one by one (xunit), it is empty and each feature first appears with its first pickle.
    /// </summary>
    void OnRunStarted(RunStartedEvent run)
    {
    }

    /// <summary>A run-level hook starts: <c>[BeforeTestRun]</c>/<c>[AfterTestRun]</c>, or a feature hook (see <see cref="RunHookExecution"/>).</summary>
    void OnRunHookStarted(RunHookExecution hook, DateTimeOffset timestamp)
    {
    }

    /// <summary>A run-level hook finished.</summary>
    void OnRunHookFinished(RunHookResult result, DateTimeOffset timestamp)
    {
    }

    /// <summary>A pickle starts; its plan lists hooks and steps with their matches.</summary>
    void OnPickleStarted(TestCasePlan testCase, DateTimeOffset timestamp)
    {
    }

    /// <summary>A hook or step starts.</summary>
    void OnStepStarted(TestCasePlan testCase, PlannedStep step, DateTimeOffset timestamp)
    {
    }

    /// <summary>A binding attached something while <paramref name="step"/> ran.</summary>
    void OnAttachment(TestCasePlan testCase, PlannedStep? step, GherkinAttachment attachment)
    {
    }

    /// <summary>A hook or step finished.</summary>
    void OnStepFinished(TestCasePlan testCase, StepResult result, DateTimeOffset timestamp)
    {
    }

    /// <summary>A pickle finished, after its after-hooks and the disposal of its objects.</summary>
    void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp)
    {
    }

    /// <summary>The run finished (also after cancellation).</summary>
    void OnRunFinished(RunResult result, DateTimeOffset timestamp)
    {
    }
}

/// <summary>The start of a run.</summary>
/// <param name="RunId">testRunStarted.id.</param>
/// <param name="Timestamp">When the run started.</param>
/// <param name="Bindings">The step definitions, hooks and parameter types Reqnroll found.</param>
/// <param name="Features">The features known up front.</param>
/// <param name="Pickles">The pickles that will run, when known up front.</param>
public sealed record RunStartedEvent(
    string RunId,
    DateTimeOffset Timestamp,
    BindingCatalog Bindings,
    IReadOnlyList<FeatureFile> Features,
    IReadOnlyList<PickleInfo> Pickles);
