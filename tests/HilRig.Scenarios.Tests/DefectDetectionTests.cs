using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// The catalogue must fail on broken firmware, not only pass on good firmware: a chip started with a
/// named defect makes the scenario that should catch it fail, with a message that says why.
/// </summary>
public sealed class DefectDetectionTests
{
    [Fact]
    public async Task FarToNearUpgrade_Fails_When_A_PassThroughChip_Drops_Frames()
    {
        var result = await RunWithDefectAsync("chip2", "pass-through-drops-frames", "Every chip is upgraded far-to-near and ends on the new image, byte for byte");

        DefectExpectations.CaughtDroppedFrames(result);
    }

    [Fact]
    public async Task A_Sleeping_Chip_That_Dies_When_It_Boots_After_A_Cut_Is_Reported_Dead_Not_Asleep()
    {
        var result = await RunWithDefectAsync("chip3", "dies-booting-asleep", "A sleeping chip loses power and comes back asleep");

        DefectExpectations.CaughtDeadChip(result);
    }

    [Theory]
    [InlineData("forwards-corrupt-frames", "A frame with a bad CRC is dropped, not forwarded", "chip1 put 23 byte(s) that are not a valid frame")]
    [InlineData("acts-on-others-frames", "A frame for another chip is forwarded byte for byte and changes nothing", "chip1 put StatusResponse 0x11->rig")]
    [InlineData("upgrade-forwards-frames", "A target passes its START on once, then in UPGRADE forwards nothing and still answers STATUS", "chip1 put Data rig->0x12")]
    [InlineData("slow-status", "STATUS is answered within 50 ms", "to answer STATUS (median of 5")]
    [InlineData("acks-every-other-data", "A target acknowledges every DATA frame once and persists at the sector boundary", "chip1 answered 4 DATA_ACK(s) to 8 DATA frames")]
    [InlineData("sleep-answers-status", "A sleeping chip answers nothing and forwards nothing until a COMPLETE wakes it", "chip1 put StatusResponse 0x11->rig")]
    public async Task A_Conformance_Scenario_Catches_A_Chip_That_Breaks_Framing_Or_Addressing(string defect, string scenario, string expected)
    {
        var result = await RunWithDefectAsync("chip1", defect, scenario);

        Assert.False(result.Passed, $"'{scenario}' passed although chip1 ran with the defect {defect}");
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>Runs one scenario of the catalogue on sim-chain with one chip started with a defect.</summary>
    private static async Task<HilRig.Gherkin.Execution.PickleResult> RunWithDefectAsync(string chip, string defect, string scenario)
    {
        var settings = RigSettings.ForRepository(ScenarioRunners.Root, Path.Combine("wiring", "sim-chain.yaml"), Path.Combine("artifacts", "test-defects", defect))
            with { ChipDefects = new Dictionary<string, IReadOnlyList<string>> { [chip] = [defect] } };
        return await ScenarioRunners.RunScenarioAsync(settings, scenario, TestContext.Current.CancellationToken);
    }
}
