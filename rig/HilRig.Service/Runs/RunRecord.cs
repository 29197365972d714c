using HilRig.Gherkin.Reporting;
using System.Text.Json.Serialization;

namespace HilRig.Service.Runs;

/// <summary>Where a run is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    /// <summary>Waiting for its bench.</summary>
    Queued,

    /// <summary>Executing.</summary>
    Running,

    /// <summary>Every scenario passed.</summary>
    Passed,

    /// <summary>A scenario did not pass (failed, undefined, ambiguous, pending or skipped), or the run could not start or ended with an error.</summary>
    Failed,

    /// <summary>Cancelled by a user (POST /api/runs/{id}/cancel), before or while it ran; not counted a failure.</summary>
    Cancelled,

    /// <summary>Cut short because the service stopped (SIGTERM) or died (SIGKILL, a crash) while it ran; the bench was driven to its safe state.</summary>
    Interrupted,
}

/// <summary>What a user asks for: POST /api/runs.</summary>
/// <param name="Features">Feature files or folders, or file.feature:LINE, relative to the checkout (default: every feature).</param>
/// <param name="Tags">Tag expression.</param>
/// <param name="Wiring">Wiring file relative to the checkout (default: the service's bench).</param>
/// <param name="Seed">Seed; default a new one.</param>
public sealed record RunRequest(IReadOnlyList<string>? Features, string? Tags, string? Wiring, int? Seed);

/// <summary>A run: what was asked, its state and results; kept on disk as run.json in its directory.</summary>
public sealed record RunRecord
{
    /// <summary>Run id: a sortable UTC time prefix and 96 random bits (yyyyMMdd-HHmmssfff-24 hex digits), so no one guesses another's.</summary>
    public required string Id { get; init; }

    /// <summary>What was asked.</summary>
    public required RunRequest Request { get; init; }

    /// <summary>The bench (from the wiring file).</summary>
    public required string Bench { get; init; }

    /// <summary>The wiring file, relative to the checkout.</summary>
    public required string Wiring { get; init; }

    /// <summary>The seed the run uses.</summary>
    public required int Seed { get; init; }

    /// <summary>State.</summary>
    public RunState State { get; init; }

    /// <summary>When it was queued.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Scenarios that passed.</summary>
    public int Passed { get; init; }

    /// <summary>Scenarios that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Scenarios with a step that has no step definition.</summary>
    public int Undefined { get; init; }

    /// <summary>Scenarios with a step that matches several step definitions.</summary>
    public int Ambiguous { get; init; }

    /// <summary>Scenarios with a pending step.</summary>
    public int Pending { get; init; }

    /// <summary>Scenarios skipped.</summary>
    public int Skipped { get; init; }

    /// <summary>Scenarios that did not pass, whatever their status.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int NotPassed => Failed + Undefined + Ambiguous + Pending + Skipped;

    /// <summary>
    /// Scenarios that make the run fail, as they make `hilrig run` exit 1 (and Cucumber fail): failed, undefined,
    /// ambiguous, pending. A skipped scenario (skipped with its reason, e.g. a @cloud scenario on a bench without
    /// the module's network) does not: a night on a hardware bench that skips what it cannot run has passed.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Unsuccessful => Failed + Undefined + Ambiguous + Pending;

    /// <summary>This record with <see cref="Scenarios"/> and the counts per status set from <paramref name="scenarios"/>.</summary>
    public RunRecord WithScenarios(IReadOnlyList<ScenarioResult> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        int Count(string status) => scenarios.Count(s => s.Status == status);
        return this with
        {
            Scenarios = scenarios,
            Passed = Count(ScenarioStatus.Passed),
            Failed = Count(ScenarioStatus.Failed),
            Undefined = Count(ScenarioStatus.Undefined),
            Ambiguous = Count(ScenarioStatus.Ambiguous),
            Pending = Count(ScenarioStatus.Pending),
            Skipped = Count(ScenarioStatus.Skipped),
        };
    }

    /// <summary>Per-scenario results, in the order they finished.</summary>
    public IReadOnlyList<ScenarioResult> Scenarios { get; init; } = [];

    /// <summary>Why the run failed without a scenario failing, or was cancelled or interrupted (and what was done about its bench).</summary>
    public string? Message { get; init; }

    /// <summary>The command that repeats the run from a checkout, every word quoted for a POSIX shell.</summary>
    public string? Reproduce { get; init; }
}
