using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Tests.Support;

/// <summary>Runs features of this test project with a fresh <see cref="Probe"/>.</summary>
public sealed class RunnerHarness
{
    public Probe Probe { get; } = new();

    public RunOptions Options(params IRunListener[] listeners) => Options(Console.Error, listeners);

    /// <summary>Options whose listener failures are reported to <paramref name="listenerErrors"/>.</summary>
    public RunOptions Options(TextWriter listenerErrors, params IRunListener[] listeners) => new()
    {
        BaseDirectory = AppContext.BaseDirectory,
        Listeners = listeners,
        ListenerErrors = listenerErrors,
        ConfigureServices = services => services.RegisterInstanceAs(Probe),
    };

    public GherkinRunner CreateRunner(params IRunListener[] listeners) =>
        new([typeof(RunnerHarness).Assembly], Options(listeners));

    public async Task<RunResult> RunAsync(string[] paths, string? tags = null, params IRunListener[] listeners)
    {
        await using var runner = CreateRunner(listeners);
        return await runner.RunAsync(PickleSelection.Of(paths, tags), cancellationToken: TestContext.Current.CancellationToken);
    }

    public Task<RunResult> RunAsync(params string[] paths) => RunAsync(paths, null);
}
