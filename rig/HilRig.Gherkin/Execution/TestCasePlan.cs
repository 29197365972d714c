using HilRig.Gherkin.Bindings;
using HilRig.Gherkin.Features;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Execution;

/// <summary>What a planned test step is.</summary>
public enum PlannedStepKind
{
    /// <summary>A <see cref="BeforeScenarioAttribute"/> hook.</summary>
    BeforeScenarioHook,
    /// <summary>A Gherkin step.</summary>
    Step,
    /// <summary>An <see cref="AfterScenarioAttribute"/> hook.</summary>
    AfterScenarioHook,
}

/// <summary>One step of a test case: a scenario hook or a Gherkin step with the definitions that match it.</summary>
public sealed class PlannedStep
{
    internal PlannedStep(string id, PlannedStepKind kind, HookBinding? hook, PickleStep? pickleStep, string keyword, int line, IReadOnlyList<StepMatch> matches)
    {
        Id = id;
        Kind = kind;
        Hook = hook;
        PickleStep = pickleStep;
        Keyword = keyword;
        Line = line;
        Matches = matches;
    }

    /// <summary>The test step id used in Cucumber messages.</summary>
    public string Id { get; }

    /// <summary>Hook or step.</summary>
    public PlannedStepKind Kind { get; }

    /// <summary>The hook, for hook steps.</summary>
    public HookBinding? Hook { get; }

    /// <summary>The Gherkin step, for steps.</summary>
    public PickleStep? PickleStep { get; }

    /// <summary>The keyword as written, e.g. <c>"And "</c>; empty for hooks.</summary>
    public string Keyword { get; }

    /// <summary>The line in the feature file; 0 for hooks.</summary>
    public int Line { get; }

    /// <summary>The definitions that match: none (undefined), one, or several (ambiguous).</summary>
    public IReadOnlyList<StepMatch> Matches { get; }

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
    internal TestCasePlan(string testCaseId, string testCaseStartedId, PickleInfo pickle, IReadOnlyList<PlannedStep> steps)
    {
        TestCaseId = testCaseId;
        TestCaseStartedId = testCaseStartedId;
        Pickle = pickle;
        Steps = steps;
    }

    /// <summary>testCase.id.</summary>
    public string TestCaseId { get; }

    /// <summary>testCaseStarted.id.</summary>
    public string TestCaseStartedId { get; }

    /// <summary>The pickle.</summary>
    public PickleInfo Pickle { get; }

    /// <summary>Before hooks, steps, after hooks.</summary>
    public IReadOnlyList<PlannedStep> Steps { get; }
}
