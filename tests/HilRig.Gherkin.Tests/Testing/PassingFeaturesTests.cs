using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Testing;
using HilRig.Gherkin.Tests.Support;

namespace HilRig.Gherkin.Tests.Testing;

/// <summary>One runner for every pickle of the class; AfterFeature hooks run when it is disposed.</summary>
public sealed class PassingFeaturesFixture : IAsyncDisposable
{
    private readonly RunnerHarness _harness = new();

    public PassingFeaturesFixture() => Runner = _harness.CreateRunner();

    public GherkinRunner Runner { get; }

    public ValueTask DisposeAsync() => Runner.DisposeAsync();
}

/// <summary>The xunit integration itself: every pickle under Features/Passing is its own test case.</summary>
public sealed class PassingFeaturesTests(PassingFeaturesFixture fixture) : IClassFixture<PassingFeaturesFixture>
{
    public static IEnumerable<TheoryDataRow<string>> Pickles() => PickleCatalog.TheoryRows("Features/Passing");

    [Theory]
    [MemberData(nameof(Pickles))]
    public async Task Scenario_Passes_When_RunAsOneTestCase(string pickleId)
    {
        var result = await fixture.Runner.RunPickleAsync(pickleId, TestContext.Current.CancellationToken);

        Assert.True(result.Passed, result.Describe());
    }
}
