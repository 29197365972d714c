namespace HilRig.Gherkin;

/// <summary>Marks a class whose methods are step definitions or hooks (Reqnroll's <c>[Binding]</c>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BindingAttribute : Attribute;

/// <summary>
/// Base of the step attributes. The pattern is a Cucumber expression unless it starts with <c>^</c> or
/// ends with <c>$</c>, in which case it is a regular expression matched against the whole step text.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public class StepDefinitionAttribute(string pattern) : Attribute
{
    /// <summary>The Cucumber expression or regular expression.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>The keyword this definition answers to; <see cref="StepKeyword.Any"/> matches every keyword.</summary>
    public virtual StepKeyword Keyword => StepKeyword.Any;
}

/// <summary>A step definition for <c>Given</c> steps (and the <c>And</c>/<c>But</c> steps that follow them).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class GivenAttribute(string pattern) : StepDefinitionAttribute(pattern)
{
    /// <inheritdoc />
    public override StepKeyword Keyword => StepKeyword.Given;
}

/// <summary>A step definition for <c>When</c> steps (and the <c>And</c>/<c>But</c> steps that follow them).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class WhenAttribute(string pattern) : StepDefinitionAttribute(pattern)
{
    /// <inheritdoc />
    public override StepKeyword Keyword => StepKeyword.When;
}

/// <summary>A step definition for <c>Then</c> steps (and the <c>And</c>/<c>But</c> steps that follow them).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ThenAttribute(string pattern) : StepDefinitionAttribute(pattern)
{
    /// <inheritdoc />
    public override StepKeyword Keyword => StepKeyword.Then;
}

/// <summary>The keyword type a step definition answers to.</summary>
public enum StepKeyword
{
    /// <summary>Any keyword, including <c>*</c>.</summary>
    Any,
    /// <summary>Given (context).</summary>
    Given,
    /// <summary>When (action).</summary>
    When,
    /// <summary>Then (outcome).</summary>
    Then,
}

/// <summary>
/// Base of the hook attributes. Tags restrict the hook to scenarios (or features) matching any of them;
/// each entry may be a single tag (<c>@sim</c>) or a tag expression (<c>@sim and not @slow</c>).
/// Hooks run in ascending <see cref="Order"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public abstract class HookAttribute(params string[] tags) : Attribute
{
    /// <summary>Tag filters; empty means every scenario.</summary>
    public IReadOnlyList<string> Tags { get; } = tags;

    /// <summary>Execution order; lower runs first. Reqnroll's default is 10000, and so is this one.</summary>
    public int Order { get; set; } = 10000;
}

/// <summary>Runs before each scenario, inside the scenario's container.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class BeforeScenarioAttribute(params string[] tags) : HookAttribute(tags);

/// <summary>Runs after each scenario, even when it failed, before the scenario's objects are disposed.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class AfterScenarioAttribute(params string[] tags) : HookAttribute(tags);

/// <summary>Runs before the first scenario of a feature in a run; tags are matched against the feature's tags.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class BeforeFeatureAttribute(params string[] tags) : HookAttribute(tags);

/// <summary>Runs after the last scenario of a feature in a run (or when the runner is disposed).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class AfterFeatureAttribute(params string[] tags) : HookAttribute(tags);
