using System.Text.RegularExpressions;
using Gherkin;
using Gherkin.CucumberMessages;
using Gherkin.CucumberMessages.Pickles;

namespace HilRig.Gherkin.Features;

/// <summary>
/// Reads feature files with the official Gherkin parser and compiles their pickles. A file that does not parse
/// comes back as one message: <c>path.feature:LINE:COLUMN: expected ... but got '...'</c>.
/// </summary>
public static partial class FeatureLoader
{
    private static readonly Dictionary<string, string> TokenNames = new(StringComparer.Ordinal)
    {
        ["#EOF"] = "the end of the file",
        ["#Empty"] = "an empty line",
        ["#Comment"] = "a comment",
        ["#TagLine"] = "a tag line",
        ["#FeatureLine"] = "'Feature:'",
        ["#RuleLine"] = "'Rule:'",
        ["#BackgroundLine"] = "'Background:'",
        ["#ScenarioLine"] = "'Scenario:'",
        ["#ExamplesLine"] = "'Examples:'",
        ["#StepLine"] = "a step (Given/When/Then/And/But)",
        ["#DocStringSeparator"] = "a doc string (\"\"\")",
        ["#TableRow"] = "a table row (| ... |)",
        ["#Language"] = "a '# language:' line",
        ["#Other"] = "free text",
    };

    /// <summary>Loads a feature file; throws <see cref="GherkinException"/> with a file:line:column message when it does not parse.</summary>
    public static FeatureFile Load(string path, string baseDirectory) =>
        TryLoad(path, baseDirectory, out var feature, out var error) ? feature! : throw new GherkinException(error);

    /// <summary>Loads a feature file; on failure <paramref name="error"/> names file:line:column and what is wrong.</summary>
    public static bool TryLoad(string path, string baseDirectory, out FeatureFile? feature, out string error)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        feature = null;
        error = "";
        var fullPath = Path.GetFullPath(path, baseDirectory);
        var uri = ToUri(fullPath, baseDirectory);
        string source;
        try
        {
            source = File.ReadAllText(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error = $"{uri}: cannot read the feature file: {exception.Message}";
            return false;
        }

        try
        {
            var document = new Parser().Parse(new StringReader(source));
            var ids = new StableIdGenerator(uri, source);
            var messageDocument = new AstMessagesConverter(ids).ConvertGherkinDocumentToEventArgs(document, uri);
            if (EmptyTableRow(messageDocument) is { } row)
            {
                // The parser takes a lone '|' as a row of no cells; a table needs a header cell (Reqnroll's Table refuses none).
                error = $"{uri}:{row.Line}:{row.Column}: a data table row needs at least one cell ('| name |'), but got a lone '|'";
                return false;
            }
            feature = new FeatureFile(fullPath, uri, source, messageDocument);
            feature.SetPickles(new PickleCompiler(ids).Compile(messageDocument));
            return true;
        }
        catch (CompositeParserException exception)
        {
            error = string.Join(Environment.NewLine, exception.Errors.Select(e => Describe(uri, e)));
            return false;
        }
        catch (ParserException exception)
        {
            error = Describe(uri, exception);
            return false;
        }
    }

    private static Io.Cucumber.Messages.Types.Location? EmptyTableRow(Io.Cucumber.Messages.Types.GherkinDocument document)
    {
        var children = document.Feature?.Children ?? [];
        var steps = children.SelectMany(c => (c.Background?.Steps ?? []).Concat(c.Scenario?.Steps ?? [])
            .Concat((c.Rule?.Children ?? []).SelectMany(r => (r.Background?.Steps ?? []).Concat(r.Scenario?.Steps ?? []))));
        return steps.SelectMany(s => s.DataTable?.Rows ?? []).FirstOrDefault(r => r.Cells.Count == 0)?.Location;
    }

    /// <summary>The path relative to the base directory with forward slashes, as used in ids and reports.</summary>
    public static string ToUri(string fullPath, string baseDirectory) =>
        Path.GetRelativePath(baseDirectory, fullPath).Replace('\\', '/');

    private static string Describe(string uri, ParserException exception)
    {
        var location = exception.Location is { } l ? $"{l.Line}:{l.Column}" : "1:1";
        var message = LocationPrefix().Replace(exception.Message, "");
        var expected = ExpectedList().Match(message);
        if (expected.Success)
        {
            var names = expected.Groups["tokens"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => TokenNames.GetValueOrDefault(t, t));
            message = $"expected {string.Join(", ", names)}, but got {expected.Groups["got"].Value}";
        }

        return $"{uri}:{location}: {message}";
    }

    [GeneratedRegex(@"^\(\d+:\d+\):\s*")]
    private static partial Regex LocationPrefix();

    [GeneratedRegex(@"^expected:\s*(?<tokens>.*?),\s*got\s+(?<got>.*)$", RegexOptions.Singleline)]
    private static partial Regex ExpectedList();
}
