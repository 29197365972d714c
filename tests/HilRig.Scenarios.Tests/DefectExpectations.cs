namespace HilRig.Scenarios.Tests;

/// <summary>How the catalogue must fail on each defect the defect tests use, whatever bench it runs on.</summary>
internal static class DefectExpectations
{
    /// <summary>chip2 drops every fifth frame it passes through: caught either way the lost frames play out.</summary>
    public static void CaughtDroppedFrames(HilRig.Gherkin.Execution.PickleResult result)
    {
        Assert.False(result.Passed, "the scenario passed although chip2 dropped every fifth frame it passed through");
        // chip3's image arrives only with bytes sent again, or the campaign ends without completing (a PREPARE_ACK,
        // START_ACK or DATA_ACK lost too often on the way through chip2; which one depends on the timing of the run).
        Assert.Matches(@"chip3: \d+ image bytes sent for \d+ needed \(\d+ sent again\)|the campaign did not complete: (campaign-failed|prepare-refused)", result.ErrorMessage ?? "");
    }

    /// <summary>chip3 dies when it boots asleep after its cut: reported dead, not taken for asleep.</summary>
    public static void CaughtDeadChip(HilRig.Gherkin.Execution.PickleResult result)
    {
        Assert.False(result.Passed, "chip3 died when it booted asleep after the cut, and the scenario took its silence for sleep");
        Assert.Contains("chip3 is dead: powered, silent and drawing 0 mA", result.ErrorMessage, StringComparison.Ordinal);
    }
}
