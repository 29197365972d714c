
namespace HilRig.Scenarios.Tests;

/// <summary>
/// The conformance feature catches defects in the C reference chip too: each is a build flag of the chip
/// (`HILRIG_C_DEFECT=NAME build.sh host` builds firmware-images/reference-chip/build/defect-NAME/), given to chip1 of
/// a copy of wiring/sim-chain-c.yaml, and the scenario meant to catch it must fail. Skipped without gcc and make.
/// </summary>
public sealed class CChipDefectTests
{
    [Theory]
    [InlineData("acts-on-others-frames", "A frame for another chip is forwarded byte for byte and changes nothing", "chip1 put StatusResponse 0x11->rig")]
    [InlineData("upgrade-forwards-frames", "A target passes its START on once, then in UPGRADE forwards nothing and still answers STATUS", "chip1 put Data rig->0x12")]
    [InlineData("sleep-answers-status", "A sleeping chip answers nothing and forwards nothing until a COMPLETE wakes it", "chip1 put StatusResponse 0x11->rig")]
    [InlineData("acks-every-other-data", "A target acknowledges every DATA frame once and persists at the sector boundary", "DATA_ACK(s) to 8 DATA frames")]
    [InlineData("answers-upstream", "A request from below is answered on the port it came in on", "did not answer STATUS_RSP to the rig (0xFE) on its downstream port")]
    public async Task A_Conformance_Scenario_Catches_A_Defective_Build_Of_The_C_Chip(string defect, string scenario, string expected)
    {
        Assert.SkipUnless(OnPath("gcc") && OnPath("make"), "the C reference chip's host build needs gcc and make");
        var folder = Path.Combine(ScenarioRunners.Root, "artifacts", "test-c-defects", defect);
        Directory.CreateDirectory(folder);
        var wiring = Path.Combine(folder, $"sim-chain-c-{defect}.yaml");
        var text = await File.ReadAllTextAsync(Path.Combine(ScenarioRunners.Root, "wiring", "sim-chain-c.yaml"), TestContext.Current.CancellationToken);
        text = text.Replace("../firmware-images/", Path.Combine(ScenarioRunners.Root, "firmware-images") + "/", StringComparison.Ordinal);
        // chip1 only: its build and its start get the defect (the first occurrence of each is chip1's).
        text = ReplaceFirst(text, "build: sh ", $"build: env HILRIG_C_DEFECT={defect} sh ");
        text = ReplaceFirst(text, "exec sh \"$d/firmware-images/reference-chip/run-chip.sh\"", $"exec env HILRIG_C_DEFECT={defect} sh \"$d/firmware-images/reference-chip/run-chip.sh\"");
        await File.WriteAllTextAsync(wiring, text, TestContext.Current.CancellationToken);

        var settings = RigSettings.ForRepository(ScenarioRunners.Root, wiring, Path.Combine("artifacts", "test-c-defects", defect, "scenarios"));

        var result = await ScenarioRunners.RunScenarioAsync(settings, scenario, TestContext.Current.CancellationToken);

        Assert.False(result.Passed, $"'{scenario}' passed although chip1 ran the C chip built with {defect}");
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"wiring/sim-chain-c.yaml no longer has '{from}'");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    /// <summary>True when <paramref name="tool"/> is a file in a folder of PATH.</summary>
    internal static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));
}
