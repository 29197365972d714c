using HilRig.Gherkin.Testing;
using Xunit;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The chain scenarios, the conformance feature and three power cuts on wiring/sim-chain-qemu.yaml, where every chip is the
/// reference firmware in C cross-compiled for Cortex-M3 and running in QEMU mps2-an385 (killing QEMU is the
/// chip's power cut; its flash is a host file written through semihosting). Skipped, with the reason, on a
/// machine without QEMU and the cross toolchain (./setup.sh qemu installs them). They run in a collection of
/// their own, alone, once the parallel catalogue is done: three emulated Cortex-M3s whose UARTs run at the line
/// rate miss the protocol's deadlines when the other benches' scenarios take the same two cores.
/// </summary>
[Collection(QemuCollection.Name)]
public sealed class QemuCatalogTests(ScenarioRunners runners) : IClassFixture<ScenarioRunners>
{
    /// <summary>Scenarios run on QEMU chips: the chain feature, a whole-device cut and the cuts of one chip in the middle of a transfer.</summary>
    public static readonly IReadOnlyList<string> Selected =
    [
        "chain-upgrade.feature:",
        "conformance/framing-and-addressing.feature:", // each rule of §3.3, §4, §6.3, §6.4, §7.6 on both sides of chip1
        "conformance/upgrade-steps.feature:", // PREPARE, START, transfer, activation, COMPLETE and cuts, on both sides of chip1
        "conformance/mode-table.feature:", // the rows of the §6.1 table the other two leave out
        "power-cuts.feature:26", // the whole device loses power at 50% of chip3's transfer (a half frame in a relay)
        "power-cuts.feature:38", // only the target loses power in the middle of its transfer
        "power-cuts.feature:45", // a pass-through chip loses power while it forwards another chip's image
    ];

    private static IEnumerable<HilRig.Gherkin.Features.PickleInfo> Pickles() =>
        PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root)
            .Where(p => Selected.Any(s => s.EndsWith(':') ? p.Id.Contains("/" + s, StringComparison.Ordinal) : p.Id.EndsWith("/" + s, StringComparison.Ordinal)));

    /// <summary>
    /// Every run: the chain feature and the power cuts, and the first scenario of each conformance feature; the rest of the
    /// conformance features at night (<see cref="CatalogueTier"/>). Every run takes them all on the same C code built for the
    /// host (CChipCatalogTests), which shares the cores with the other benches.
    /// </summary>
    private static readonly IReadOnlySet<string> EveryRun = CatalogueTier.EveryRun(Pickles(),
        Pickles().Where(p => !IsConformance(p.Id)).Select(p => p.Name).ToList());

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        Pickles().Select(p => new TheoryDataRow<string>(p.Id).WithTestDisplayName($"[sim-chain-qemu] {p.DisplayName}"));

    private static bool IsConformance(string pickleId) => pickleId.Contains("/conformance/", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_Passes_On_Qemu_Chips(string pickleId)
    {
        Assert.SkipUnless(CChipDefectTests.OnPath("qemu-system-arm") && CChipDefectTests.OnPath("arm-none-eabi-gcc") && CChipDefectTests.OnPath("make"),
            "the QEMU build of the reference chip needs qemu-system-arm and arm-none-eabi-gcc: ./setup.sh qemu installs them");
        CatalogueTier.SkipUnlessTaken(EveryRun, pickleId, "on the C chip built for the host (sim-chain-c)");
        var result = await runners.For("sim-chain-qemu").RunPickleAsync(pickleId, TestContext.Current.CancellationToken);
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void The_selection_finds_its_scenarios()
    {
        var ids = Scenarios().Select(r => r.Data).ToList();
        Assert.Equal(50, ids.Count);
        Assert.Equal(43, ids.Count(IsConformance));
        Assert.Equal(7 + 3, EveryRun.Count); // the chain feature's 4 and the 3 cuts, and one of each of the 3 conformance features
        Assert.Contains(ids, id => id.EndsWith("power-cuts.feature:38", StringComparison.Ordinal));
    }
}

/// <summary>The QEMU scenarios' collection: not run in parallel with anything else in this assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QemuCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "QEMU chips, run alone";
}
