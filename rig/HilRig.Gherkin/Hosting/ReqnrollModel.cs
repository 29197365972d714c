using System.Collections.Specialized;
using System.Globalization;
using HilRig.Gherkin.Features;
using Io.Cucumber.Messages.Types;
using Reqnroll;
using Reqnroll.Bindings;

namespace HilRig.Gherkin.Hosting;

/// <summary>One pickle step as Reqnroll's runner takes it: the keyword type (And/But resolved), the keyword as written, the argument.</summary>
internal sealed record ReqnrollStep(StepDefinitionKeyword Keyword, string KeywordText, string Text, string? DocString, Table? Table, int Line)
{
    public StepDefinitionType Type => (StepDefinitionType)(int)Keyword;
}

/// <summary>A pickle in Reqnroll's terms: its ScenarioInfo and RuleInfo, and its steps.</summary>
internal sealed record ReqnrollPickle(ScenarioInfo ScenarioInfo, RuleInfo? RuleInfo, IReadOnlyList<ReqnrollStep> Steps)
{
    /// <summary>Reqnroll's generated tests skip a scenario tagged @ignore without running its hooks; so does the host.</summary>
    public bool IsIgnored => ScenarioInfo.CombinedTags.Contains("ignore", StringComparer.OrdinalIgnoreCase);
}

/// <summary>Turns the official parser's documents and pickles into Reqnroll's FeatureInfo, ScenarioInfo, RuleInfo and step calls.</summary>
internal static class ReqnrollModel
{
    /// <summary>One per feature and run: Reqnroll compares FeatureInfo by reference.</summary>
    public static FeatureInfo FeatureInfoOf(FeatureFile feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var language = feature.Document.Feature?.Language is { Length: > 0 } code ? code : "en";
        return new FeatureInfo(CultureInfo.GetCultureInfo(language), Path.GetDirectoryName(feature.Uri)?.Replace('\\', '/') ?? "",
            feature.Name, feature.Description, ProgrammingLanguage.CSharp, WithoutAt(feature.Tags));
    }

    public static ReqnrollPickle PickleOf(PickleInfo pickle)
    {
        ArgumentNullException.ThrowIfNull(pickle);
        var (scenario, rule, examples) = pickle.Feature.SourceOf(pickle);
        var ownTags = WithoutAt(scenario.Tags.Select(t => t.Name).Concat(examples?.Tags.Select(t => t.Name) ?? []));
        var inheritedTags = WithoutAt(pickle.Feature.Tags.Concat(rule?.Tags.Select(t => t.Name) ?? []));
        var arguments = new OrderedDictionary();
        foreach (var (name, value) in pickle.ExampleValues)
        {
            arguments[name] = value;
        }

        var scenarioInfo = new ScenarioInfo(pickle.Name, scenario.Description, ownTags, arguments, inheritedTags);
        var ruleInfo = rule is null ? null : new RuleInfo(rule.Name, rule.Description, WithoutAt(rule.Tags.Select(t => t.Name)));
        var steps = new List<ReqnrollStep>();
        var previous = StepDefinitionKeyword.Given;
        foreach (var step in pickle.Pickle.Steps)
        {
            // A pickle step has a type, not a keyword: the compiler already gave And/But the type of the step before;
            // Unknown (a '*' step) keeps the previous type, Given when there is none.
            var keyword = step.Type switch
            {
                PickleStepType.CONTEXT => StepDefinitionKeyword.Given,
                PickleStepType.ACTION => StepDefinitionKeyword.When,
                PickleStepType.OUTCOME => StepDefinitionKeyword.Then,
                _ => previous,
            };
            previous = keyword;
            var (keywordText, line) = pickle.Feature.DescribeStep(step);
            steps.Add(new ReqnrollStep(keyword, keywordText, step.Text, step.Argument?.DocString?.Content, TableOf(step.Argument?.DataTable), line));
        }

        return new ReqnrollPickle(scenarioInfo, ruleInfo, steps);
    }

    private static Reqnroll.DataTable? TableOf(PickleTable? table)
    {
        if (table is not { Rows.Count: > 0 })
        {
            return null;
        }

        var result = new Reqnroll.DataTable([.. table.Rows[0].Cells.Select(c => c.Value)]);
        foreach (var row in table.Rows.Skip(1))
        {
            result.AddRow([.. row.Cells.Select(c => c.Value)]);
        }

        return result;
    }

    private static string[] WithoutAt(IEnumerable<string> tags) => [.. tags.Select(t => t.StartsWith('@') ? t[1..] : t)];
}
