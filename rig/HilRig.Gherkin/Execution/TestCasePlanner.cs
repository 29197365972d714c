using System.Text.RegularExpressions;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Hosting;
using Reqnroll;
using Reqnroll.BindingSkeletons;
using Reqnroll.Bindings;
using Reqnroll.BoDi;
using Reqnroll.Configuration;
using Reqnroll.Infrastructure;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// Plans a pickle before it runs, from Reqnroll's own services so the plan is what Reqnroll then does: the
/// BeforeScenario/AfterScenario hooks selected and ordered as its engine does (tag scope, one per method, ascending
/// Order), each step's best match (arguments and offsets), the candidates of an ambiguous step, and the skeleton
/// Reqnroll suggests for an undefined one.
/// </summary>
internal sealed partial class TestCasePlanner(BindingCatalog catalog)
{
    private readonly Dictionary<IStepDefinitionBinding, StepDefinitionInfo> _definitions = catalog.StepDefinitions.GroupBy(d => d.Binding).ToDictionary(g => g.Key, g => g.First());
    private readonly Dictionary<IHookBinding, HookInfo> _hooks = catalog.Hooks.GroupBy(h => h.Binding).ToDictionary(g => g.Key, g => g.First());

    public HookInfo? HookOf(IHookBinding binding) => _hooks.GetValueOrDefault(binding);

    /// <summary>The plan; without Reqnroll's services (the run could not start) every step is planned unmatched.</summary>
    public TestCasePlan Plan(PickleInfo pickle, FeatureInfo? featureInfo, ReqnrollPickle model, IObjectContainer? threadContainer)
    {
        var steps = new List<PlannedStep>();
        if (threadContainer is null || featureInfo is null)
        {
            steps.AddRange(model.Steps.Select((s, i) => new PlannedStep(NewId(), PlannedStepKind.Step, null, pickle.Pickle.Steps[i], s.KeywordText, s.Line, [], null)));
            return new TestCasePlan(NewId(), NewId(), pickle, steps);
        }

        var registry = threadContainer.Resolve<IBindingRegistry>();
        var matcher = threadContainer.Resolve<IStepDefinitionMatchService>();
        var skeletons = threadContainer.Resolve<IStepDefinitionSkeletonProvider>();
        var configuration = threadContainer.Resolve<ReqnrollConfiguration>();
        var culture = configuration.BindingCulture ?? featureInfo.Language;
        var context = new StepContext(featureInfo, model.ScenarioInfo);

        steps.AddRange(HooksFor(registry, HookType.BeforeScenario, context).Select(h => new PlannedStep(NewId(), PlannedStepKind.BeforeScenarioHook, h, null, "", 0, [], null)));
        for (var i = 0; i < model.Steps.Count; i++)
        {
            var step = model.Steps[i];
            var instance = new StepInstance(step.Type, step.Keyword, step.KeywordText, step.Text, step.DocString, step.Table, context);
            var match = matcher.GetBestMatch(instance, culture, out var reason, out var candidates);
            IReadOnlyList<StepMatch> matches = match.Success
                ? [MatchOf(match)]
                : reason is StepDefinitionAmbiguityReason.AmbiguousSteps or StepDefinitionAmbiguityReason.ParameterErrors
                    ? candidates.Select(MatchOf).ToList()
                    : [];
            var snippet = matches.Count == 0
                ? skeletons.GetStepDefinitionSkeleton(ProgrammingLanguage.CSharp, instance, configuration.StepDefinitionSkeletonStyle, culture).Trim()
                : null;
            steps.Add(new PlannedStep(NewId(), PlannedStepKind.Step, null, pickle.Pickle.Steps[i], step.KeywordText, step.Line, matches, snippet));
        }

        steps.AddRange(HooksFor(registry, HookType.AfterScenario, context).Select(h => new PlannedStep(NewId(), PlannedStepKind.AfterScenarioHook, h, null, "", 0, [], null)));
        return new TestCasePlan(NewId(), NewId(), pickle, steps);
    }

    /// <summary>The hooks Reqnroll's engine runs for this context, in its order (TestExecutionEngine.FireEventsAsync).</summary>
    private IEnumerable<HookInfo> HooksFor(IBindingRegistry registry, HookType type, StepContext context) =>
        registry.GetHooks(type)
            .Where(h => !h.IsScoped || h.BindingScope.Match(context, out _))
            .GroupBy(h => h.Method)
            .Select(g => g.First())
            .OrderBy(h => h.HookOrder)
            .Select(h => _hooks[h]);

    private StepMatch MatchOf(BindingMatch match)
    {
        // A Cucumber expression names its parameter types ({int}, {node}); a regex's are the method's parameter types.
        var names = match.StepBinding.ExpressionType == StepDefinitionExpressionTypes.CucumberExpression
            ? ParameterNames().Matches(match.StepBinding.SourceExpression).Select(m => m.Groups[1].Value).ToList()
            : match.StepBinding.Method.Parameters.Select(p => CucumberTypeName(p.Type.Name)).ToList();
        var arguments = match.Arguments
            .Select((a, i) => (Argument: a, Index: i))
            .Where(x => x.Argument.Value is string)
            .Select(x => new PlannedArgument((string)x.Argument.Value, x.Argument.StartOffset, x.Index < names.Count ? names[x.Index] : null))
            .ToList();
        return new StepMatch(_definitions[match.StepBinding], arguments);
    }

    [GeneratedRegex(@"(?<!\\)\{([^{}]*)\}")]
    private static partial Regex ParameterNames();

    /// <summary>The names Reqnroll's own formatters give .NET types in stepMatchArguments.</summary>
    private static string CucumberTypeName(string name) => name switch
    {
        "Int16" => "short",
        "Int32" => "int",
        "Int64" => "long",
        "Single" => "float",
        "Double" => "double",
        "Byte" => "byte",
        "String" => "string",
        "Boolean" => "bool",
        "Decimal" => "decimal",
        _ => name,
    };

    private static string NewId() => Guid.NewGuid().ToString();
}
