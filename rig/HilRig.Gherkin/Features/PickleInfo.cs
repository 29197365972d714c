using System.Globalization;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Features;

/// <summary>
/// One runnable scenario (a pickle): a plain scenario, or one Examples row of an outline, with the background
/// steps in front. Its <see cref="Id"/> is stable across runs: <c>relative/path.feature:LINE</c>.
/// </summary>
public sealed class PickleInfo
{
    internal PickleInfo(FeatureFile feature, Pickle pickle, int scenarioLine, int line, IReadOnlyList<KeyValuePair<string, string>> exampleValues)
    {
        Feature = feature;
        Pickle = pickle;
        ScenarioLine = scenarioLine;
        ExampleValues = exampleValues;
        Line = line;
        Id = FormatId(feature.Uri, Line);
    }

    /// <summary>The feature file it comes from.</summary>
    public FeatureFile Feature { get; }

    /// <summary>The Cucumber pickle (steps, tags, arguments).</summary>
    public Pickle Pickle { get; }

    /// <summary><c>relative/path.feature:LINE</c>; LINE is the scenario line, or the Examples row line for outlines.</summary>
    public string Id { get; }

    /// <summary>The scenario line, or the Examples row line for outlines.</summary>
    public int Line { get; }

    /// <summary>The line of the <c>Scenario:</c> or <c>Scenario Outline:</c> keyword.</summary>
    public int ScenarioLine { get; }

    /// <summary>The scenario name, with example values substituted for outlines.</summary>
    public string Name => Pickle.Name;

    /// <summary>Tags including those inherited from feature, rule and examples.</summary>
    public IReadOnlyList<string> Tags => Pickle.Tags.Select(t => t.Name).ToList();

    /// <summary>The Examples row's header/value pairs; empty for a plain scenario.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExampleValues { get; }

    /// <summary>The name of the Rule the scenario is under, or null.</summary>
    public string? RuleName => Feature.SourceOf(this).Rule?.Name;

    /// <summary>
    /// The name as CI should show it: the Rule's name first when there is one (<c>Resume: Cut power [percent=40]</c>), so
    /// scenarios of the same name under two Rules stay two test cases.
    /// </summary>
    public string QualifiedName => RuleName is { Length: > 0 } rule ? $"{rule}: {NameWithExamples}" : NameWithExamples;

    /// <summary>The name plus the example values, e.g. <c>Cut power [percent=40]</c>; unique inside an outline.</summary>
    public string NameWithExamples => ExampleValues.Count == 0
        ? Name
        : $"{Name} [{string.Join(", ", ExampleValues.Select(v => $"{v.Key}={v.Value}"))}]";

    /// <summary>For test explorers: <c>Feature name: Scenario name [x=1] [path.feature:12]</c>.</summary>
    public string DisplayName => $"{Feature.Name}: {NameWithExamples} [{Id}]";

    /// <summary>Formats a pickle id.</summary>
    public static string FormatId(string uri, int line) => $"{uri}:{line.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Splits a pickle id into its path and line; false when it has no <c>:LINE</c> suffix.</summary>
    public static bool TryParseId(string id, out string path, out int line)
    {
        ArgumentNullException.ThrowIfNull(id);
        var colon = id.LastIndexOf(':');
        path = colon > 0 ? id[..colon] : id;
        line = 0;
        return colon > 0 && int.TryParse(id.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out line);
    }

    /// <inheritdoc />
    public override string ToString() => DisplayName;
}
