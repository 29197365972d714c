using System.Reflection;
using HilRig.Gherkin.Selection;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Bindings;

/// <summary>A step definition that matched a step, with the captured arguments.</summary>
/// <param name="Binding">The matching definition.</param>
/// <param name="Arguments">The captured arguments in order.</param>
public sealed record StepMatch(StepBinding Binding, IReadOnlyList<StepArgument> Arguments);

/// <summary>
/// All step definitions and hooks found on <see cref="BindingAttribute"/> classes of the given assemblies.
/// </summary>
public sealed class BindingRegistry
{
    private BindingRegistry(IReadOnlyList<StepBinding> steps, IReadOnlyList<HookBinding> hooks)
    {
        Steps = steps;
        Hooks = hooks;
    }

    /// <summary>The step definitions, in discovery order.</summary>
    public IReadOnlyList<StepBinding> Steps { get; }

    /// <summary>The hooks, in discovery order.</summary>
    public IReadOnlyList<HookBinding> Hooks { get; }

    /// <summary>
    /// Scans the assemblies. Every pattern or tag filter that does not compile is collected, and all are reported in
    /// one <see cref="GherkinException"/>.
    /// </summary>
    public static BindingRegistry FromAssemblies(IEnumerable<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var steps = new List<StepBinding>();
        var hooks = new List<HookBinding>();
        var errors = new List<string>();
        var types = assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<BindingAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var method in types.SelectMany(t => t.GetMethods(flags)).OrderBy(m => m.MetadataToken))
        {
            foreach (var attribute in method.GetCustomAttributes<StepDefinitionAttribute>())
            {
                try
                {
                    steps.Add(new StepBinding(NewId(), attribute.Keyword, StepPattern.Compile(attribute.Pattern), method));
                }
                catch (FormatException exception)
                {
                    errors.Add($"{MethodDisplay.Describe(method)}: {exception.Message}");
                }
            }

            foreach (var attribute in method.GetCustomAttributes<HookAttribute>())
            {
                var filterText = string.Join(" or ", attribute.Tags.Select(t => $"({t})"));
                if (!TagExpression.TryParse(filterText, out var filter, out var error))
                {
                    errors.Add($"{MethodDisplay.Describe(method)}: {error}");
                    continue;
                }

                var kind = KindOf(attribute);
                if (kind is HookKind.BeforeFeature or HookKind.AfterFeature && !method.IsStatic)
                {
                    errors.Add($"{MethodDisplay.Describe(method)}: [{kind}] hooks must be static (as in Reqnroll); take FeatureContext or services as parameters.");
                    continue;
                }

                hooks.Add(new HookBinding(NewId(), kind, method, attribute.Order, filter));
            }
        }

        if (errors.Count > 0)
        {
            throw new GherkinException("Step bindings have errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        return new BindingRegistry(steps, hooks);
    }

    /// <summary>Every definition whose keyword type and pattern match the pickle step.</summary>
    public IReadOnlyList<StepMatch> FindMatches(PickleStepType stepType, string text)
    {
        var matches = new List<StepMatch>();
        foreach (var binding in Steps)
        {
            if (!KeywordFits(binding.Keyword, stepType))
            {
                continue;
            }

            var arguments = binding.Pattern.Match(text);
            if (arguments is not null)
            {
                matches.Add(new StepMatch(binding, arguments));
            }
        }

        return matches;
    }

    /// <summary>The hooks of a kind whose filter matches the tags, in ascending order.</summary>
    public IReadOnlyList<HookBinding> HooksFor(HookKind kind, IEnumerable<string> tags)
    {
        var tagSet = new HashSet<string>(tags, StringComparer.Ordinal);
        return Hooks.Where(h => h.Kind == kind && h.Filter.Matches(tagSet)).OrderBy(h => h.Order).ToList();
    }

    private static bool KeywordFits(StepKeyword keyword, PickleStepType stepType) => keyword switch
    {
        StepKeyword.Any => true,
        _ when stepType == PickleStepType.UNKNOWN => true,
        StepKeyword.Given => stepType == PickleStepType.CONTEXT,
        StepKeyword.When => stepType == PickleStepType.ACTION,
        StepKeyword.Then => stepType == PickleStepType.OUTCOME,
        _ => false,
    };

    private static HookKind KindOf(HookAttribute attribute) => attribute switch
    {
        BeforeScenarioAttribute => HookKind.BeforeScenario,
        AfterScenarioAttribute => HookKind.AfterScenario,
        BeforeFeatureAttribute => HookKind.BeforeFeature,
        _ => HookKind.AfterFeature,
    };

    private static string NewId() => Guid.NewGuid().ToString();
}
