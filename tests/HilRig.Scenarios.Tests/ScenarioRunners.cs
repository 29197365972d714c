using HilRig.Gherkin.Execution;
using HilRig.Scenarios.StepDefinitions;

namespace HilRig.Scenarios.Tests;

/// <summary>One Gherkin runner per bench, shared by the catalogue's test cases and disposed at the end (AfterFeature hooks run then).</summary>
public sealed class ScenarioRunners : IAsyncDisposable
{
    private readonly Dictionary<string, GherkinRunner> _runners = new();

    /// <summary>The checkout the tests run from.</summary>
    public static string Root { get; } = RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);

    /// <summary>
    /// The runner whose default bench is wiring/<paramref name="bench"/>.yaml; <paramref name="part"/> &gt; 0 names one of
    /// several benches made from that file (ScenarioCatalogTests' parts), each with its artifacts in a folder of its own.
    /// </summary>
    public GherkinRunner For(string bench, int part = 0)
    {
        var key = part > 0 ? $"{bench}#{part}" : bench;
        lock (_runners)
        {
            if (!_runners.TryGetValue(key, out var runner))
            {
                var settings = RigSettings.ForRepository(Root, Path.Combine("wiring", bench + ".yaml"), Path.Combine("artifacts", "test-scenarios", key));
                runner = new GherkinRunner([typeof(BenchSteps).Assembly], new RunOptions
                {
                    BaseDirectory = Root,
                    ConfigureServices = services => services.RegisterInstanceAs(settings),
                });
                _runners[key] = runner;
            }
            return runner;
        }
    }

    /// <summary>Runs the catalogue's scenario named <paramref name="scenarioName"/> once, on a runner of its own with <paramref name="settings"/>.</summary>
    public static async Task<PickleResult> RunScenarioAsync(RigSettings settings, string scenarioName, CancellationToken cancellationToken)
    {
        await using var runner = new GherkinRunner([typeof(BenchSteps).Assembly], new RunOptions
        {
            BaseDirectory = Root,
            ConfigureServices = services => services.RegisterInstanceAs(settings),
        });
        var pickle = HilRig.Gherkin.Testing.PickleCatalog.Discover(Path.Combine(Root, RigSettings.Catalogue), baseDirectory: Root)
            .Single(p => p.Name == scenarioName);
        return await runner.RunPickleAsync(pickle.Id, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var runner in _runners.Values)
        {
            await runner.DisposeAsync();
        }
    }
}
