using System.Reflection;

namespace HilRig.Gherkin.Bindings;

/// <summary>One step definition: a method and one of its step attributes.</summary>
public sealed class StepBinding
{
    internal StepBinding(string id, StepKeyword keyword, StepPattern pattern, MethodInfo method)
    {
        Id = id;
        Keyword = keyword;
        Pattern = pattern;
        Method = method;
    }

    /// <summary>The id used in Cucumber messages (stepDefinition.id).</summary>
    public string Id { get; }

    /// <summary>The keyword type it answers to.</summary>
    public StepKeyword Keyword { get; }

    /// <summary>The compiled pattern.</summary>
    public StepPattern Pattern { get; }

    /// <summary>The step method.</summary>
    public MethodInfo Method { get; }

    /// <summary>A readable name, e.g. <c>ChipSteps.GivenTheChipIsOn(Int32)</c>.</summary>
    public string DisplayName => MethodDisplay.Describe(Method);

    /// <inheritdoc />
    public override string ToString() => $"[{Keyword}(\"{Pattern.Source}\")] {DisplayName}";
}

/// <summary>The kind of a hook.</summary>
public enum HookKind
{
    /// <summary>Before each scenario.</summary>
    BeforeScenario,
    /// <summary>After each scenario.</summary>
    AfterScenario,
    /// <summary>Before the first scenario of a feature.</summary>
    BeforeFeature,
    /// <summary>After the last scenario of a feature.</summary>
    AfterFeature,
}

/// <summary>One hook method with its kind, order and tag filter.</summary>
public sealed class HookBinding
{
    internal HookBinding(string id, HookKind kind, MethodInfo method, int order, Selection.TagExpression filter)
    {
        Id = id;
        Kind = kind;
        Method = method;
        Order = order;
        Filter = filter;
    }

    /// <summary>The id used in Cucumber messages (hook.id).</summary>
    public string Id { get; }

    /// <summary>When it runs.</summary>
    public HookKind Kind { get; }

    /// <summary>The hook method.</summary>
    public MethodInfo Method { get; }

    /// <summary>Lower runs first.</summary>
    public int Order { get; }

    /// <summary>The tags a scenario (or feature) must match; <see cref="Selection.TagExpression.Always"/> when none were given.</summary>
    public Selection.TagExpression Filter { get; }

    /// <summary>A readable name, e.g. <c>BenchHooks.PowerOff()</c>.</summary>
    public string DisplayName => MethodDisplay.Describe(Method);

    /// <inheritdoc />
    public override string ToString() => $"[{Kind}] {DisplayName}";
}

internal static class MethodDisplay
{
    public static string Describe(MethodInfo method) =>
        $"{method.DeclaringType?.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";
}
