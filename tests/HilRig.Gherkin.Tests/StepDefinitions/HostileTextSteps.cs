using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

/// <summary>Steps whose arguments, attachments and failures carry text no report format can hold as it is.</summary>
[Binding]
public sealed class HostileTextSteps(Probe probe, ScenarioRun scenario)
{
    [Given("a doc string holding control characters:")]
    public void GivenADocString(string text) => probe.Add($"doc {text.Length} chars");

    [Given("a table holding control characters:")]
    public void GivenATable(Table table) => probe.Add($"table {table.Rows.Count} rows");

    [Given("a chip log with a lone surrogate is attached")]
    public void GivenALogIsAttached() =>
        scenario.Attach("chip \uDC00 log", "text/plain", "chip said \uDBFF then \u001B[2J and \0");

    /// <summary>A lone high surrogate is invalid UTF-16: no encoder can write it as it is.</summary>
    [When("^a step (.*) throws a lone surrogate$")]
    public void WhenAStepThrowsALoneSurrogate(string how) =>
        throw new InvalidOperationException($"{how}: lone \uD800 surrogate, \u001B[31mESC\u001B[0m and \0 NUL");
}
