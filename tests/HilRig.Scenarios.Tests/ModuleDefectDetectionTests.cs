
namespace HilRig.Scenarios.Tests;

/// <summary>
/// The cloud scenarios must fail on a WiFi module that gets docs/cloud.md wrong: the emulated module started
/// with a named defect makes the scenario that should catch it fail, with a message that says why.
/// </summary>
public sealed class ModuleDefectDetectionTests
{
    [Theory]
    [InlineData("obey-vendor-ota", "A vendor server's own OTA unit is ignored and the module says so", "ignored OTA instruction")]
    [InlineData("download-from-zero", "A download cut short by the server is resumed, not restarted", "Range")]
    [InlineData("skip-digest-check", "An image whose bytes do not match their SHA-256 is refused and the old firmware keeps running", "module-upgraded")]
    [InlineData("refuse-older-version", "A WiFi firmware rolled back on the target server is installed on a module that runs a newer one", "reason rebooted")]
    [InlineData("forget-provisioned", "A module with pending provisioning joins, connects and then marks itself configured", "flag is 1")]
    [InlineData("proxy-hands-everyone-the-first-address", "A batch no single other node holds fills the next node and the rest get the further node's address", "batch requests")]
    [InlineData("data-before-start-answers", "The module sends no image data while a chip's START answer is missing, and names that chip", "DATA frame(s) to chip2 although a START answer was missing")]
    [InlineData("retry-restarts-every-chip", "A chip rejects its image after the far chip completed, and a retry upgrades only the chips from it on", "the retry started [chip3, chip2, chip1]")]
    [InlineData("retry-restarts-every-chip", "A campaign that failed on a chip is retried by the target server from that chip, and the chips done before it get no image byte", "the retry of campaign")]
    [InlineData("answer-body-commands-itself", "A vendor's command for the device body reaches the processor, and the processor's reply reaches the vendor", "the processor received no CONTROL for command")]
    public async Task The_scenario_that_covers_a_module_defect_fails_with_it(string defect, string scenario, string expected)
    {
        var settings = RigSettings.ForRepository(ScenarioRunners.Root, Path.Combine("wiring", "sim-chain.yaml"), Path.Combine("artifacts", "test-module-defects", defect))
            with { ChipDefects = new Dictionary<string, IReadOnlyList<string>> { ["module"] = [defect] } };
        var result = await ScenarioRunners.RunScenarioAsync(settings, scenario, TestContext.Current.CancellationToken);

        Assert.False(result.Passed, $"'{scenario}' passed although the module ran with the defect {defect}");
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
    }
}
