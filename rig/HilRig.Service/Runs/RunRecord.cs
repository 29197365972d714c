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

    /// <summary>A scenario failed, or the run could not start.</summary>
    Failed,

    /// <summary>Cancelled by a user or by the service stopping.</summary>
    Cancelled,
}

/// <summary>What a user asks for: POST /api/runs.</summary>
/// <param name="Features">Feature files or folders, or file.feature:LINE, relative to the checkout (default: every feature).</param>
/// <param name="Tags">Tag expression.</param>
/// <param name="Wiring">Wiring file relative to the checkout (default: the service's bench).</param>
/// <param name="Seed">Seed; default a new one.</param>
public sealed record RunRequest(IReadOnlyList<string>? Features, string? Tags, string? Wiring, int? Seed);

/// <summary>One scenario's result as the run reported it.</summary>
public sealed record ScenarioResult(string Name, string Location, bool Passed, string? Detail);

/// <summary>A run: what was asked, its state and results; kept on disk as run.json in its directory.</summary>
public sealed record RunRecord
{
    /// <summary>Run id (sortable by time).</summary>
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

    /// <summary>Per-scenario results, in the order they finished.</summary>
    public IReadOnlyList<ScenarioResult> Scenarios { get; init; } = [];

    /// <summary>Why the run failed without a scenario failing, or was cancelled.</summary>
    public string? Message { get; init; }

    /// <summary>The command that repeats the run from a checkout.</summary>
    public string? Reproduce { get; init; }
}
