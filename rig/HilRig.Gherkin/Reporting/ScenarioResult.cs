namespace HilRig.Gherkin.Reporting;

/// <summary>One scenario's result as the run's Cucumber messages report it.</summary>
/// <param name="Name">Scenario name (with the feature name in front).</param>
/// <param name="Location">file.feature:LINE relative to the checkout.</param>
/// <param name="Status">Cucumber status, lower case: passed, failed, undefined, ambiguous, pending or skipped.</param>
/// <param name="Detail">The message of the step that decided the status, if any.</param>
public sealed record ScenarioResult(string Name, string Location, string Status, string? Detail)
{
    /// <summary>True only when <see cref="Status"/> is passed.</summary>
    public bool Passed => Status == ScenarioStatus.Passed;
}

/// <summary>The Cucumber statuses of a scenario, as the reports and the service write them.</summary>
public static class ScenarioStatus
{
    /// <summary>Every step passed.</summary>
    public const string Passed = "passed";

    /// <summary>A step failed.</summary>
    public const string Failed = "failed";

    /// <summary>A step has no step definition.</summary>
    public const string Undefined = "undefined";

    /// <summary>A step matches more than one step definition.</summary>
    public const string Ambiguous = "ambiguous";

    /// <summary>A step definition is not implemented yet.</summary>
    public const string Pending = "pending";

    /// <summary>The scenario was skipped.</summary>
    public const string Skipped = "skipped";

    /// <summary>Every status, best first (the worst step status decides a scenario's).</summary>
    public static readonly IReadOnlyList<string> All = [Passed, Skipped, Pending, Undefined, Ambiguous, Failed];
}
