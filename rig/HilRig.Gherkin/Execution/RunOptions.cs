using Reqnroll.BoDi;

namespace HilRig.Gherkin.Execution;

/// <summary>How a run is set up: where paths are relative to, who listens, what the host injects, which extra step libraries load.</summary>
public sealed class RunOptions
{
    /// <summary>
    /// Feature paths, report URIs and pickle ids are relative to this directory. Defaults to the current directory;
    /// test projects use <see cref="AppContext.BaseDirectory"/> (where the features are copied).
    /// </summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// Report writers and progress printers, called in this order. A listener that throws never stops the run or the
    /// other listeners: its first error is written to <see cref="ListenerErrors"/> and the run goes on.
    /// </summary>
    public IReadOnlyList<IRunListener> Listeners { get; init; } = [];

    /// <summary>Where a listener's failure is reported, one line per listener that failed (default: standard error).</summary>
    public TextWriter ListenerErrors { get; init; } = Console.Error;

    /// <summary>
    /// Registers the host's instances (settings, clocks) that bindings receive through their constructors:
    /// <c>services =&gt; services.RegisterInstanceAs(settings)</c>. Called once on Reqnroll's global container when the
    /// run starts (so <c>[BeforeTestRun]</c> and <c>[BeforeFeature]</c> hooks can take them as parameters), then for every
    /// scenario on its scenario container. <see cref="ScenarioRun"/> (with the run's cancellation) is registered there
    /// already; BoDi cannot resolve a struct, so a <see cref="CancellationToken"/> is not injectable: use
    /// <see cref="ScenarioRun.RunCancellation"/>, or <see cref="TestRunCancellation"/> in run-level hooks.
    /// </summary>
    public Action<IObjectContainer>? ConfigureServices { get; init; }

    /// <summary>
    /// Extra binding assemblies given as paths to their dll (a QA team's step library), loaded into the default load
    /// context (so they share this process's Reqnroll) with their own dependencies resolved from their folder.
    /// </summary>
    public IReadOnlyList<string> StepAssemblies { get; init; } = [];

    /// <summary>
    /// How many times a failed scenario runs again (0: never), for a hardware bench where one flaky run should not fail
    /// a night. Each attempt is reported as Cucumber messages do (testCaseStarted.attempt, testCaseFinished.willBeRetried);
    /// the scenario's result is its last attempt's. Only Failed is retried: undefined, ambiguous, pending and skipped
    /// scenarios would end the same way again.
    /// </summary>
    public int Retry { get; init; }
}

/// <summary>The run's cancellation, registered in Reqnroll's global container for run-level hooks (a struct cannot be injected).</summary>
/// <param name="Token">Cancelled when the run is asked to stop.</param>
public sealed record TestRunCancellation(CancellationToken Token);
