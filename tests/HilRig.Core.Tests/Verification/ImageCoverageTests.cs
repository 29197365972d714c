using HilRig.Core.Verification;
using Xunit;

namespace HilRig.Core.Tests.Verification;

/// <summary>
/// The span of image bytes sent twice, as <see cref="TransferAccounting.BytesSentAgain"/> counts it: each byte once,
/// however often the module repeated it.
/// </summary>
public sealed class ImageCoverageTests
{
    [Fact]
    public void Adjacent_and_overlapping_ranges_merge()
    {
        var set = new IntervalSet();
        set.Add(0, 1024);
        set.Add(2048, 3072);
        set.Add(1024, 1500);
        set.Add(1400, 2100);

        Assert.Equal([(0L, 3072L)], set.Ranges);
        Assert.Equal(3072, set.Length);
    }

    [Fact]
    public void Only_the_part_already_held_counts_as_overlap()
    {
        var once = new IntervalSet();
        once.Add(0, 4096);
        once.Add(8192, 9216);
        var again = new IntervalSet();

        again.AddOverlap(once, 3072, 8704);

        Assert.Equal([(3072L, 4096L), (8192L, 8704L)], again.Ranges);
        Assert.Equal(1536, again.Length);
    }

    [Fact]
    public void Retries_of_one_span_count_it_once_and_a_resume_from_zero_counts_everything_before_the_cut()
    {
        // A window [8192, 24576) is on the line when the target dies; the module retries that span three times into silence.
        var coverage = new ImageCoverage();
        coverage.Add(0, 24576);
        for (var retry = 0; retry < 3; retry++)
        {
            coverage.Add(8192, 16384);
        }
        Assert.Equal(16384, coverage.SentAgain);
        Assert.Equal(24576 + (3 * 16384), coverage.Sent);

        // A target that lost its mark resumes from zero: everything before the cut is sent twice.
        coverage.Add(0, 24576);
        Assert.Equal(24576, coverage.SentAgain);
    }
}
