using System.Text.RegularExpressions;
using Reqnroll.Bindings;
using Reqnroll;
using Reqnroll.Infrastructure;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// For a regular-expression step definition, every capture group is an argument, also an optional one that did not
/// take part: it is passed as an empty text (null for a <c>Nullable&lt;T&gt;</c> parameter), so
/// <c>^(\w+) answers( quickly)?$</c> binds to <c>(string chip, string? quickly)</c> as the old runner did. Reqnroll's
/// own calculator drops such groups, and the method then no longer matches. Cucumber expressions keep Reqnroll's
/// behaviour: their <c>{string}</c> is two alternative groups of which one always stays out.
/// </summary>
internal sealed class OptionalGroupMatchArgumentCalculator : IMatchArgumentCalculator
{
    private readonly MatchArgumentCalculator _reqnroll = new();

    public MatchArgument[] CalculateArguments(Match match, StepInstance stepInstance, IStepDefinitionBinding stepDefinitionBinding)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(stepInstance);
        ArgumentNullException.ThrowIfNull(stepDefinitionBinding);
        if (stepDefinitionBinding.ExpressionType == StepDefinitionExpressionTypes.CucumberExpression)
        {
            return _reqnroll.CalculateArguments(match, stepInstance, stepDefinitionBinding);
        }

        var arguments = match.Groups.Cast<Group>().Skip(1)
            .Select(g => g.Success ? new MatchArgument(g.Value, g.Index) : new MatchArgument("", null))
            .ToList();
        if (stepInstance.MultilineTextArgument != null)
        {
            arguments.Add(new MatchArgument(stepInstance.MultilineTextArgument));
        }

        if (stepInstance.TableArgument != null)
        {
            arguments.Add(new MatchArgument(stepInstance.TableArgument));
        }

        return [.. arguments];
    }
}
