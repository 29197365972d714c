using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Features;

/// <summary>A parsed feature file: its source, the Gherkin document as Cucumber messages, and its pickles.</summary>
public sealed class FeatureFile
{
    private readonly Dictionary<string, Step> _stepsById = [];
    private readonly List<(int Start, int End, string ScenarioId)> _scenarioRanges = [];
    private readonly List<(int Start, int End, HashSet<string> RowIds)> _examplesRanges = [];
    private readonly Dictionary<string, (Scenario Scenario, Rule? Rule)> _scenariosById = new(StringComparer.Ordinal);
    private List<PickleInfo> _pickles = [];

    internal FeatureFile(string fullPath, string uri, string source, GherkinDocument document)
    {
        FullPath = fullPath;
        Uri = uri;
        Source = source;
        Document = document;
        Index();
    }

    /// <summary>The absolute path on disk.</summary>
    public string FullPath { get; }

    /// <summary>The path relative to the run's base directory, with forward slashes; used in ids and reports.</summary>
    public string Uri { get; }

    /// <summary>The file's text.</summary>
    public string Source { get; }

    /// <summary>The Gherkin document as a Cucumber message.</summary>
    public GherkinDocument Document { get; }

    /// <summary>The feature's name; the file name when the file has no feature.</summary>
    public string Name => Document.Feature?.Name is { Length: > 0 } name ? name : Path.GetFileNameWithoutExtension(FullPath);

    /// <summary>The feature's own tags.</summary>
    public IReadOnlyList<string> Tags => Document.Feature?.Tags.Select(t => t.Name).ToList() ?? [];

    /// <summary>The feature's description text.</summary>
    public string Description => Document.Feature?.Description ?? "";

    /// <summary>The pickles in file order.</summary>
    public IReadOnlyList<PickleInfo> Pickles => _pickles;

    /// <summary>
    /// The pickles a line selects: the pickle at that exact line (scenario or Examples row), else the pickles of the
    /// Examples block or scenario that contains the line. Empty when the line is outside every scenario.
    /// </summary>
    public IReadOnlyList<PickleInfo> PicklesAtLine(int line)
    {
        var exact = _pickles.Where(p => p.Line == line).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        var examples = _examplesRanges.FirstOrDefault(r => line >= r.Start && line <= r.End);
        if (examples.RowIds is not null)
        {
            return _pickles.Where(p => p.Pickle.AstNodeIds.Count > 1 && examples.RowIds.Contains(p.Pickle.AstNodeIds[1])).ToList();
        }

        var scenario = _scenarioRanges.FirstOrDefault(r => line >= r.Start && line <= r.End);
        return scenario.ScenarioId is null ? [] : _pickles.Where(p => p.Pickle.AstNodeIds[0] == scenario.ScenarioId).ToList();
    }

    /// <summary>The keyword (with trailing space, e.g. <c>"And "</c>) and line of a pickle step, for messages and reports.</summary>
    public (string Keyword, int Line) DescribeStep(PickleStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.AstNodeIds.Count > 0 && _stepsById.TryGetValue(step.AstNodeIds[0], out var source)
            ? (source.Keyword, (int)source.Location.Line)
            : ("* ", 0);
    }

    /// <summary>The scenario a pickle comes from, its rule (or null) and its Examples block (or null).</summary>
    internal (Scenario Scenario, Rule? Rule, Examples? Examples) SourceOf(PickleInfo pickle)
    {
        var (scenario, rule) = _scenariosById[pickle.Pickle.AstNodeIds[0]];
        var examples = pickle.Pickle.AstNodeIds.Count > 1
            ? scenario.Examples.FirstOrDefault(e => e.TableBody.Any(r => r.Id == pickle.Pickle.AstNodeIds[1]))
            : null;
        return (scenario, rule, examples);
    }

    internal void SetPickles(IEnumerable<Pickle> pickles)
    {
        var scenarios = AllScenarios().ToDictionary(s => s.Id);
        var rows = AllScenarios().SelectMany(s => s.Examples).SelectMany(e => e.TableBody.Select(r => (Row: r, e.TableHeader)))
            .ToDictionary(x => x.Row.Id);
        _pickles = pickles.Select(p =>
        {
            // Cucumber.Messages 30 (Reqnroll's) has no Pickle.Location: the pickle's line is its Examples row's, or its scenario's.
            var scenarioLine = scenarios.TryGetValue(p.AstNodeIds[0], out var scenario) ? (int)scenario.Location.Line : 0;
            (TableRow Row, TableRow? TableHeader)? row = p.AstNodeIds.Count > 1 && rows.TryGetValue(p.AstNodeIds[1], out var found) ? found : null;
            var values = row is { TableHeader: not null }
                ? row.Value.TableHeader.Cells.Zip(row.Value.Row.Cells, (h, c) => new KeyValuePair<string, string>(h.Value, c.Value)).ToList()
                : [];
            var line = row is { } r ? (int)r.Row.Location.Line : scenarioLine;
            return new PickleInfo(this, p, scenarioLine, line, values);
        }).ToList();
    }

    private IEnumerable<Scenario> AllScenarios()
    {
        foreach (var child in Document.Feature?.Children ?? [])
        {
            if (child.Scenario is not null)
            {
                yield return child.Scenario;
            }

            foreach (var ruleChild in child.Rule?.Children ?? [])
            {
                if (ruleChild.Scenario is not null)
                {
                    yield return ruleChild.Scenario;
                }
            }
        }
    }

    private void Index()
    {
        var sectionStarts = new List<int>();
        foreach (var child in Document.Feature?.Children ?? [])
        {
            if (child.Background is not null)
            {
                sectionStarts.Add((int)child.Background.Location.Line);
                child.Background.Steps.ForEach(s => _stepsById[s.Id] = s);
            }

            if (child.Scenario is not null)
            {
                _scenariosById[child.Scenario.Id] = (child.Scenario, null);
            }

            if (child.Rule is not null)
            {
                sectionStarts.Add(StartLine(child.Rule.Location, child.Rule.Tags));
                foreach (var ruleChild in child.Rule.Children)
                {
                    if (ruleChild.Scenario is not null)
                    {
                        _scenariosById[ruleChild.Scenario.Id] = (ruleChild.Scenario, child.Rule);
                    }

                    if (ruleChild.Background is not null)
                    {
                        sectionStarts.Add((int)ruleChild.Background.Location.Line);
                        ruleChild.Background.Steps.ForEach(s => _stepsById[s.Id] = s);
                    }
                }
            }
        }

        foreach (var scenario in AllScenarios())
        {
            sectionStarts.Add(StartLine(scenario.Location, scenario.Tags));
            scenario.Steps.ForEach(s => _stepsById[s.Id] = s);
        }

        sectionStarts.Sort();
        foreach (var scenario in AllScenarios())
        {
            var start = StartLine(scenario.Location, scenario.Tags);
            var end = sectionStarts.Where(s => s > start).DefaultIfEmpty(int.MaxValue).Min() - 1;
            _scenarioRanges.Add((start, end, scenario.Id));
            for (var i = 0; i < scenario.Examples.Count; i++)
            {
                var examples = scenario.Examples[i];
                var examplesEnd = i + 1 < scenario.Examples.Count
                    ? StartLine(scenario.Examples[i + 1].Location, scenario.Examples[i + 1].Tags) - 1
                    : end;
                _examplesRanges.Add((StartLine(examples.Location, examples.Tags), examplesEnd, examples.TableBody.Select(r => r.Id).ToHashSet()));
            }
        }
    }

    private static int StartLine(Location location, IEnumerable<Tag> tags) =>
        tags.Select(t => (int)t.Location.Line).Append((int)location.Line).Min();
}
