using HilRig.Gherkin.Features;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Execution;

/// <summary>What a planned test step is.</summary>
public enum PlannedStepKind
{
    /// <summary>A <c>[BeforeScenario]</c> hook.</summary>
    BeforeScenarioHook,
    /// <summary>A Gherkin step.</summary>
    Step,
    /// <summary>An <c>[AfterScenario]</c> hook.</summary>
    AfterScenarioHook,
}

/// <summary>One captured argument of a step match: its text as written and where it starts in the step text.</summary>
/// <param name="Value">The captured text.</param>
/// <param name="Start">Offset in the step text, or null (an optional group that did not take part).</param>
/// <param name="ParameterTypeName">The parameter's type as Cucumber names it (<c>int</c>, <c>string</c>, <c>Node</c>).</param>
public sealed record PlannedArgument(string Value, int? Start, string? ParameterTypeName);

/// <summary>A step definition that matches a step, with the arguments Reqnroll captured.</summary>
/// <param name="Definition">The step definition.</param>
/// <param name="Arguments">The captured arguments (the data table or doc string not included).</param>
public sealed record StepMatch(StepDefinitionInfo Definition, IReadOnlyList<PlannedArgument> Arguments);

/// <summary>One step of a test case: a scenario hook or a Gherkin step with the definitions that match it.</summary>
public sealed class PlannedStep
{
    internal PlannedStep(string id, PlannedStepKind kind, HookInfo? hook, PickleStep? pickleStep, string keyword, int line,
        IReadOnlyList<StepMatch> matches, string? snippet)
    {
        Id = id;
        Kind = kind;
        Hook = hook;
        PickleStep = pickleStep;
        Keyword = keyword;
        Line = line;
        Matches = matches;
        Snippet = snippet;
    }

    /// <summary>The test step id used in Cucumber messages.</summary>
    public string Id { get; }

    /// <summary>Hook or step.</summary>
    public PlannedStepKind Kind { get; }

    /// <summary>The hook, for hook steps.</summary>
    public HookInfo? Hook { get; }

    /// <summary>The Gherkin step, for steps.</summary>
    public PickleStep? PickleStep { get; }

    /// <summary>The keyword as written, e.g. <c>"And "</c>; empty for hooks.</summary>
    public string Keyword { get; }

    /// <summary>The line in the feature file; 0 for hooks.</summary>
    public int Line { get; }

    /// <summary>The definitions that match: none (undefined), one, or several (ambiguous).</summary>
    public IReadOnlyList<StepMatch> Matches { get; }

    /// <summary>For an undefined step, Reqnroll's skeleton of a definition for it; otherwise null.</summary>
    public string? Snippet { get; }

    /// <summary>For steps <c>Given the chip is on</c>; for hooks <c>BeforeScenario Hooks.Reset()</c>.</summary>
    public string Text => PickleStep is not null
        ? $"{Keyword.Trim()} {PickleStep.Text}"
        : $"{Hook?.Kind} {Hook?.DisplayName}";

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>A pickle about to run: its ids in Cucumber messages and its planned steps (hooks included).</summary>
public sealed class TestCasePlan
{
    internal TestCasePlan(string testCaseId, string testCaseStartedId, PickleInfo pickle, IReadOnlyList<PlannedStep> steps, int attempt = 0)
    {
        TestCaseId = testCaseId;
        TestCaseStartedId = testCaseStartedId;
        Pickle = pickle;
        Steps = steps;
        Attempt = attempt;
    }

    /// <summary>testCaseStarted.attempt: 0 the first time the test case runs, 1 for its first retry (<see cref="RunOptions.Retry"/>).</summary>
    public int Attempt { get; }

    /// <summary>The same test case (its id and test steps) run again: a new testCaseStarted id, the next attempt.</summary>
    internal TestCasePlan NextAttempt() => new(TestCaseId, Guid.NewGuid().ToString(), Pickle, Steps, Attempt + 1);

    /// <summary>testCase.id.</summary>
    public string TestCaseId { get; }

    /// <summary>testCaseStarted.id.</summary>
    public string TestCaseStartedId { get; }

    /// <summary>The pickle.</summary>
    public PickleInfo Pickle { get; }

    /// <summary>Before hooks, steps, after hooks: the ones Reqnroll runs for this pickle, in its order.</summary>
    public IReadOnlyList<PlannedStep> Steps { get; }
}

/// <summary>A run-level hook as it runs: <c>[BeforeTestRun]</c>/<c>[AfterTestRun]</c>, and <c>[BeforeFeature]</c>/<c>[AfterFeature]</c>,
/// which Cucumber messages have no place for inside a test case (testRunHookStarted/Finished in the NDJSON).</summary>
/// <param name="Id">testRunHookStarted.id.</param>
/// <param name="Hook">The hook.</param>
/// <param name="FeatureName">For feature hooks, the feature it ran for; null for test-run hooks.</param>
public sealed record RunHookExecution(string Id, HookInfo Hook, string? FeatureName)
{
    /// <summary>e.g. <c>BeforeFeature Hooks.Start() [Feature: Chain upgrade]</c>.</summary>
    public string Text => FeatureName is null ? $"{Hook.Kind} {Hook.DisplayName}" : $"{Hook.Kind} {Hook.DisplayName} [Feature: {FeatureName}]";
}
