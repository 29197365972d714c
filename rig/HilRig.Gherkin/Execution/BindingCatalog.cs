using Reqnroll.Bindings;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// What Reqnroll found in a run's binding assemblies, with the ids the reports give each: step definitions, scenario
/// and run-level hooks, custom parameter types, and the binding errors (an undefined <c>{type}</c>, a bad regex).
/// </summary>
public sealed class BindingCatalog
{
    internal BindingCatalog(
        IReadOnlyList<StepDefinitionInfo> stepDefinitions,
        IReadOnlyList<HookInfo> hooks,
        IReadOnlyList<ParameterTypeInfo> parameterTypes,
        IReadOnlyList<string> errors)
    {
        StepDefinitions = stepDefinitions;
        Hooks = hooks;
        ParameterTypes = parameterTypes;
        Errors = errors;
    }

    /// <summary>A catalogue with nothing in it (the run could not build its bindings).</summary>
    public static BindingCatalog Empty { get; } = new([], [], [], []);

    /// <summary>The step definitions, in discovery order; invalid ones too (see <see cref="StepDefinitionInfo.Error"/>).</summary>
    public IReadOnlyList<StepDefinitionInfo> StepDefinitions { get; }

    /// <summary>Every hook: scenario, feature and test-run hooks (step and block hooks too).</summary>
    public IReadOnlyList<HookInfo> Hooks { get; }

    /// <summary>The <c>[StepArgumentTransformation]</c> methods; a named one is a Cucumber expression parameter type.</summary>
    public IReadOnlyList<ParameterTypeInfo> ParameterTypes { get; }

    /// <summary>Reqnroll's binding errors; when there is any, the run runs no scenario and ends with them as its error.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>One step definition: a method and one of its Given/When/Then attributes.</summary>
/// <param name="Id">stepDefinition.id in the NDJSON.</param>
/// <param name="Binding">Reqnroll's binding.</param>
public sealed record StepDefinitionInfo(string Id, IStepDefinitionBinding Binding)
{
    /// <summary>The expression as written in the attribute.</summary>
    public string Pattern => Binding.SourceExpression;

    /// <summary>True for a regular expression, false for a Cucumber expression.</summary>
    public bool IsRegularExpression => Binding.ExpressionType != StepDefinitionExpressionTypes.CucumberExpression;

    /// <summary>Why Reqnroll refused it (e.g. <c>Undefined parameter type 'chip'</c>), or null.</summary>
    public string? Error => Binding.IsValid ? null : Binding.ErrorMessage;

    /// <summary>A readable name, e.g. <c>ChipSteps.GivenTheChipIsOn(Int32)</c>.</summary>
    public string DisplayName => BindingDisplay.Describe(Binding.Method);

    /// <inheritdoc />
    public override string ToString() => $"[{Binding.StepDefinitionType}(\"{Pattern}\")] {DisplayName}";
}

/// <summary>One hook method with its kind, order and tag scope.</summary>
/// <param name="Id">hook.id in the NDJSON.</param>
/// <param name="Binding">Reqnroll's binding (After hooks carry their Order negated: see the README, "Hook order").</param>
public sealed record HookInfo(string Id, IHookBinding Binding)
{
    /// <summary>When it runs.</summary>
    public HookType Kind => Binding.HookType;

    /// <summary>The tag it is scoped to, e.g. <c>@hardware</c>, or null.</summary>
    public string? TagExpression => Binding.IsScoped && !string.IsNullOrEmpty(Binding.BindingScope.Tag) ? "@" + Binding.BindingScope.Tag.TrimStart('@') : null;

    /// <summary>A readable name, e.g. <c>BenchHooks.PowerOff()</c>.</summary>
    public string DisplayName => BindingDisplay.Describe(Binding.Method);

    /// <inheritdoc />
    public override string ToString() => $"[{Kind}] {DisplayName}";
}

/// <summary>A <c>[StepArgumentTransformation]</c>: with a name (or a regex) it is a Cucumber expression parameter type.</summary>
/// <param name="Id">parameterType.id in the NDJSON.</param>
/// <param name="Binding">Reqnroll's binding.</param>
public sealed record ParameterTypeInfo(string Id, IStepArgumentTransformationBinding Binding)
{
    /// <summary>The name used in Cucumber expressions: <c>Name</c> of the attribute, else the return type's name.</summary>
    public string Name => Binding.Name ?? Binding.Method.ReturnType.Name;
}

internal static class BindingDisplay
{
    public static string Describe(Reqnroll.Bindings.Reflection.IBindingMethod method) =>
        $"{method.Type.Name}.{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Type.Name))})";
}
