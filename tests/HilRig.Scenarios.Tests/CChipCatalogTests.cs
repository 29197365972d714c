using HilRig.Gherkin.Testing;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The scenarios QemuCatalogTests runs on Cortex-M3s (the chain feature, the conformance features, three power cuts) on
/// wiring/sim-chain-c.yaml, where every chip is the reference firmware in C built for the host: the same C code as on
/// QEMU, as a native process that shares the cores with the other benches, so every run takes them all (QEMU takes the
/// conformance features whole at night). Skipped without gcc and make.
/// </summary>
public sealed class CChipCatalogTests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        QemuCatalogTests.Scenarios().Select(r => new TheoryDataRow<string>(r.Data).WithTestDisplayName(r.TestDisplayName!.Replace("[sim-chain-qemu]", "[sim-chain-c]", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_Passes_On_The_C_Chip(string pickleId)
    {
        Assert.SkipUnless(CChipDefectTests.OnPath("gcc") && CChipDefectTests.OnPath("make"), "the C reference chip's host build needs gcc and make");
        var result = await runners.For("sim-chain-c").RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }
}
