using HilRig.Gherkin.Bindings;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Tests.Bindings;

public sealed class StepSnippetTests
{
    [Fact]
    public void Create_UsesIntAndStringParameters_When_TextHasNumberAndQuotes()
    {
        var snippet = StepSnippet.Create(PickleStepType.CONTEXT, "the chip 3 is powered by \"bench A\"", false, false);

        Assert.Contains("[Given(@\"the chip {int} is powered by {string}\")]", snippet, StringComparison.Ordinal);
        Assert.Contains("public void GivenTheChipIsPoweredBy(int p0, string p1)", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AddsTableParameter_When_StepHasDataTable()
    {
        var snippet = StepSnippet.Create(PickleStepType.OUTCOME, "the chips (all) read 1.5 V", true, false);

        Assert.Contains(@"[Then(@""the chips \(all\) read {float} V"")]", snippet, StringComparison.Ordinal);
        Assert.Contains("(double p0, DataTable table)", snippet, StringComparison.Ordinal);
    }
}
