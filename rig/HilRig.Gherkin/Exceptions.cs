namespace HilRig.Gherkin;

/// <summary>Thrown by a step that is written but not implemented yet; the scenario ends as pending.</summary>
public sealed class PendingStepException(string message = "The step is pending.") : Exception(message);

/// <summary>Thrown by a hook or step to skip the rest of the scenario (e.g. a @hardware scenario on a simulated bench).</summary>
public sealed class SkipScenarioException(string reason) : Exception(reason);

/// <summary>
/// An error the user caused (a feature file that does not parse, a bad tag expression, a binding that cannot be
/// compiled, a path that does not exist). The message names the file, line or text and what was expected.
/// </summary>
public sealed class GherkinException(string message) : Exception(message);
