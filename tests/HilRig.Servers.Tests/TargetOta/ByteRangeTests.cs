using HilRig.Servers.TargetOta.Http;

namespace HilRig.Servers.Tests.TargetOta;

public class ByteRangeTests
{
    [Theory]
    [InlineData(null, "None", 0, 999)]
    [InlineData("bytes=0-", "Satisfiable", 0, 999)]
    [InlineData("bytes=100-", "Satisfiable", 100, 999)]
    [InlineData("bytes=100-199", "Satisfiable", 100, 199)]
    [InlineData("bytes=900-5000", "Satisfiable", 900, 999)]
    [InlineData("bytes=-10", "Satisfiable", 990, 999)]
    [InlineData("bytes=-5000", "Satisfiable", 0, 999)]
    [InlineData("BYTES=5-6", "Satisfiable", 5, 6)]
    [InlineData("bytes=1000-", "Unsatisfiable", 0, 0)]
    [InlineData("bytes=-0", "Unsatisfiable", 0, 0)]
    public void Parse_Reads_When_HeaderIsOneRange(string? header, string kind, long start, long end)
    {
        var range = ByteRange.Parse(header, 1000);
        Assert.Equal((kind, start, end), (range.Kind.ToString(), range.Start, range.End));
    }

    [Theory]
    [InlineData("bytes=abc-", "first byte is not a number")]
    [InlineData("items=0-1", "unit is not bytes")]
    [InlineData("bytes=0-1,5-6", "multiple ranges")]
    [InlineData("bytes=7", "no '-'")]
    [InlineData("bytes=9-3", "last byte is not a number at or after the first")]
    [InlineData("bytes=--1", "suffix length is not a number")]
    public void Parse_SaysWhy_When_HeaderIsMalformed(string header, string problem)
    {
        var range = ByteRange.Parse(header, 1000);
        Assert.Equal(ByteRangeKind.Malformed, range.Kind);
        Assert.Contains(problem, range.Problem, StringComparison.Ordinal);
    }
}
