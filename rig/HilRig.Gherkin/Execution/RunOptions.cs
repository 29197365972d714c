using HilRig.Gherkin.Injection;

namespace HilRig.Gherkin.Execution;

/// <summary>How a run is set up: where paths are relative to, who listens, and what the host injects.</summary>
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
    /// Registers run-wide instances (options, a bench, clocks) that bindings receive through their constructors.
    /// Called once per run on the run scope; the run's <see cref="CancellationToken"/> is registered already.
    /// </summary>
    public Action<IScenarioServices>? ConfigureServices { get; init; }
}
