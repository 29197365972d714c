using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

public enum BenchMode
{
    Normal,
    PowerSave,
}

[Binding]
public sealed class ParameterSteps(Probe probe)
{
    [Given("the chip {int} has firmware {string}")]
    public void GivenTheChipHasFirmware(int chip, string version) => probe.Add($"chip {chip} firmware {version}");

    [When("the bench switches to {word} mode")]
    public async Task WhenTheBenchSwitchesMode(BenchMode mode)
    {
        await Task.Yield();
        probe.Add($"mode {mode}");
    }

    [Then(@"^the register (0x[0-9A-Fa-f]+) reads (\d+)$")]
    public void ThenTheRegisterReads(byte register, long value) => probe.Add($"register {register} = {value}");

    [Then("the voltage is {float} volts")]
    public ValueTask ThenTheVoltageIs(double volts)
    {
        probe.Add($"voltage {volts.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return ValueTask.CompletedTask;
    }

    [Then("there is/are {int} chip(s) listening")]
    public void ThenChipsListening(int count) => probe.Add($"listening {count}");

    [Given("the power is {word}")]
    public void GivenThePowerIs(bool on) => probe.Add($"power {on}");

    [When("the operator says {}")]
    public void WhenTheOperatorSays(string words) => probe.Add($"says {words}");
}
