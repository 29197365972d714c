using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

[Binding]
public sealed class OutlineSteps(Probe probe, ScenarioRun scenario)
{
    [Given("the bench is powered")]
    public void GivenTheBenchIsPowered() => probe.Add($"powered [{scenario.Name}]");

    [When("power is cut at {int}% of the transfer")]
    public void WhenPowerIsCut(int percent) => probe.Add($"cut {percent}");

    [Then("the chip boots image {string}")]
    public void ThenTheChipBoots(string image) => probe.Add($"boots {image}");
}

[Binding]
public sealed class TableSteps(Probe probe)
{
    [Given("these chips:")]
    public void GivenTheseChips(Table chips)
    {
        foreach (var row in chips.Rows)
        {
            probe.Add($"chip {row["name"]} at {row["address"]}");
        }
    }

    [Then("the wiring reads:")]
    public void ThenTheWiringReads(string wiring) => probe.Add($"wiring {wiring}");
}
