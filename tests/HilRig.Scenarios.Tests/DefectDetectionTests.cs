
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

    /// <summary>
    /// One seeded defect of the C# chip per row: the MUST of docs/protocol.md §12 it breaks (its number in the list), the
    /// conformance scenario that catches it (chip1 carries the defect), and what the failure must say.
    /// </summary>
    public static readonly IReadOnlyList<(string Defect, int Must, string Scenario, string Expected)> Table =
    [
        ("frame-length-big-endian", 1, "STATUS is answered within 50 ms", "byte(s) that are not a valid frame (docs/protocol.md §3), first: length field 13312 fails its check"),
        ("forwards-corrupt-frames", 2, "A frame with a bad CRC is dropped, not forwarded", "chip1 put 23 byte(s) that are not a valid frame"),
        ("answers-upstream", 3, "A request from below is answered on the port it came in on", "did not answer STATUS_RSP to the rig (0xFE) on its downstream port"),
        ("acts-on-others-frames", 4, "A frame for another chip is forwarded byte for byte and changes nothing", "chip1 put StatusResponse 0x11->rig"),
        ("upgrade-forwards-frames", 4, "A target passes its START on once, then in UPGRADE forwards nothing and still answers STATUS", "chip1 put Data rig->0x12"),
        ("pass-through-drops-frames", 4, "A pass-through chip forwards every frame for a chip below it, byte for byte", "(frame 5: 0 copies, frame 10: 0 copies)"),
        ("answers-undecodable-payloads", 5, "A START whose payload does not decode is ignored", "chip1 put StartAck 0x11->rig"),
        ("prepare-answers-alone", 6, "PREPARE is answered once, upstream, for the chip and every chip below it", "chip1's PREPARE_ACK lists 0x11, expected itself and every chip below it"),
        ("prepare-hides-refusal", 6, "A refusal below is passed up, naming the chip that refused", "chip1's PREPARE_ACK says Ready"),
        ("restarts-finished-transfer", 7, "A START for an image already activated in the campaign is answered ALREADY_UPGRADED, with a COMPLETE", "did not answer START_ACK AlreadyUpgraded"),
        ("mark-after-acting", 7, "A START_ACK is sent only once the mode it announces is written", "chip1 answered START_ACK in Upgrade mode before the power failed inside flash operation 2, but came back in Initial mode"),
        ("acks-every-other-data", 8, "A target acknowledges every DATA frame once and persists at the sector boundary", "chip1 answered 4 DATA_ACK(s) to 8 DATA frames"),
        ("resume-from-zero", 8, "A target cut off in the middle of its transfer comes back in UPGRADE and resumes where it had persisted", "did not answer START_ACK Ok in Upgrade mode from offset 4096"),
        ("selective-ack-claims-unwritten-frames", 8, "Chips speaking 1.2 behind a link that loses every fifth DATA frame are sent little more than their images", "chip 0x11 rejected its image: DigestMismatch"),
        ("activate-before-digest-check", 9, "An image whose body does not match its digest is not activated", "chip1 sent no COMPLETE DigestMismatch upstream"),
        ("complete-not-flooded", 10, "A COMPLETE from below is passed on to every other port, and not back the way it came", "chip1 forwarded 0 exact copies upstream"),
        ("sleep-answers-status", 11, "A sleeping chip answers nothing and forwards nothing until a COMPLETE wakes it", "chip1 put StatusResponse 0x11->rig"),
        ("slow-status", 12, "STATUS is answered within 50 ms", "to answer STATUS (median of 5"),
        ("status-reports-pending-version", 12, "A target reports the image it runs until the new one is activated, then sends COMPLETE on every port", "chip1's STATUS says mode Upgrade, version 1.1.0"),
        ("single-slot-mark", 13, "A cut inside a mark write leaves the mark written before it", "chip1 came back in Initial mode of campaign 0"),
        ("sleep-not-persisted", 14, "A sleeping chip cut off comes back asleep, and a COMPLETE wakes it", "chip1 put StatusResponse 0x11->rig"),
        ("dies-booting-asleep", 14, "A sleeping chip cut off comes back asleep, and a COMPLETE wakes it", "chip1 answers STATUS with silence, expected Initial"),
        ("start-drops-below-answers", 15, "START is answered once, upstream, for the chip and every chip below it", "chip1's START_ACK carries the answers of [chip1]"),
    ];

    public static IEnumerable<TheoryDataRow<string, string, string>> Rows() =>
        Table.Select(r => new TheoryDataRow<string, string, string>(r.Defect, r.Scenario, r.Expected).WithTestDisplayName($"MUST {r.Must}: {r.Defect} is caught by '{r.Scenario}'"));

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_Conformance_Scenario_Catches_The_Defect(string defect, string scenario, string expected)
    {
        var result = await RunWithDefectAsync("chip1", defect, scenario);

        Assert.False(result.Passed, $"'{scenario}' passed although chip1 ran with the defect {defect}");
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Defect_Of_The_Chip_And_Every_Must_Has_A_Row()
    {
        Assert.Equal(HilRig.Bench.Chip.ChipDefects.ByName.Keys.Order(), Table.Select(r => r.Defect).Distinct().Order());
        Assert.Equal(Enumerable.Range(1, ConformanceMapTests.Musts().Count), Table.Select(r => r.Must).Distinct().Order());
    }

    /// <summary>Runs one scenario of the catalogue on sim-chain with one chip started with a defect.</summary>
    private static async Task<HilRig.Gherkin.Execution.PickleResult> RunWithDefectAsync(string chip, string defect, string scenario)
    {
        var settings = RigSettings.ForRepository(ScenarioRunners.Root, Path.Combine("wiring", "sim-chain.yaml"), Path.Combine("artifacts", "test-defects", defect))
            with { ChipDefects = new Dictionary<string, IReadOnlyList<string>> { [chip] = [defect] } };
        return await ScenarioRunners.RunScenarioAsync(settings, scenario, TestContext.Current.CancellationToken);
    }
}
