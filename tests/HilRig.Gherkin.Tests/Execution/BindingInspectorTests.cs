using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Execution;

public sealed class BindingInspectorTests
{
    [Fact]
    public async Task Plan_MatchesStepsWithoutRunningAnything_When_BindingsAreLoaded()
    {
        await using var inspector = BindingInspector.Open([typeof(RunnerHarness).Assembly]);
        var feature = FeatureLoader.Load("Features/Failing/failing.feature", AppContext.BaseDirectory);

        var plans = feature.Pickles.Select(inspector.Plan).ToList();

        Assert.Empty(inspector.Catalog.Errors);
        Assert.Contains(inspector.Catalog.StepDefinitions, d => d.Pattern == "a step throws {string}");
        var throwing = plans[0].Steps[1];
        Assert.Equal("the DUT did not answer", Assert.Single(Assert.Single(throwing.Matches).Arguments).Value);
        Assert.Empty(plans[1].Steps[0].Matches);
        Assert.NotNull(plans[1].Steps[0].Snippet);
        Assert.Equal(2, plans[2].Steps[0].Matches.Count);
    }
}
