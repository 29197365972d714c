namespace HilRig.Gherkin;

/// <summary>
/// Thrown by a hook or step to skip the rest of the scenario (e.g. a @hardware scenario on a simulated bench); the
/// scenario ends as Skipped with this reason. Code written only against Reqnroll skips the same way through the
/// injected <c>IUnitTestRuntimeProvider.TestIgnore(reason)</c>, which throws this.
/// </summary>
public sealed class SkipScenarioException(string reason) : Exception(reason);

/// <summary>
/// An error the user caused (a feature file that does not parse, a bad tag expression, a path that does not exist).
/// The message names the file, line or text and what was expected.
/// </summary>
public sealed class GherkinException(string message) : Exception(message);
