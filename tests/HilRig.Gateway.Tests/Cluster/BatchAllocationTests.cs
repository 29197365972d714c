using HilRig.Gateway.Cluster;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>The design's example of the capacity rule on a proxy's batch (docs/cloud.md §5.3), case by case.</summary>
public sealed class BatchAllocationTests
{
    private static string Render(IReadOnlyList<BatchAllocation.Share> shares) => string.Join(" ", shares.Select(s => $"{s.Count}@{s.NodeId}"));

    [Fact]
    public void Plan_GivesTheBoundNodeTheWholeBatch_When_ItHoldsIt()
    {
        Assert.Equal("5@n10", Render(BatchAllocation.Plan([("n10", 10), ("n40", 40)], 5, out var locked)));
        Assert.Null(locked);
    }

    [Fact]
    public void Plan_LocksTheBoundNodeAndSendsTheBatchWhole_When_TheNextNodeHoldsIt()
    {
        Assert.Equal("20@n40", Render(BatchAllocation.Plan([("n10", 10), ("n40", 40)], 20, out var locked)));
        Assert.Equal("n10", locked);
    }

    [Fact]
    public void Plan_FillsTheNextNodeAndSpillsTheRest_When_ItCannotHoldTheBatch()
    {
        Assert.Equal("15@n15 5@n20", Render(BatchAllocation.Plan([("n10", 10), ("n15", 15), ("n20", 20)], 20, out var locked)));
        Assert.Equal("n10", locked);
    }

    [Fact]
    public void Plan_UsesTheLockedNodeLastAndLeavesTheRestUnplaced_When_RoomRunsOut()
    {
        Assert.Equal("3@n3 10@n10", Render(BatchAllocation.Plan([("n10", 10), ("n3", 3)], 20, out _)));
        Assert.Empty(BatchAllocation.Plan([], 4, out _));
        Assert.Empty(BatchAllocation.Plan([("n10", 10)], 0, out _));
    }

    [Fact]
    public void Plan_NeverPlacesMoreThanTheBatchOrAnyNodesRoom()
    {
        var rooms = new[] { 0, 1, 4, 7, 15 };
        foreach (var a in rooms)
        foreach (var b in rooms)
        foreach (var c in rooms)
        for (var n = 0; n <= 30; n++)
        {
            var candidates = new List<(string, int)> { ("a", a), ("b", b), ("c", c) };
            var shares = BatchAllocation.Plan(candidates, n, out _);
            Assert.True(shares.Sum(s => s.Count) == Math.Min(n, a + b + c), $"rooms {a},{b},{c}, batch {n}: {Render(shares)}");
            Assert.All(shares, s => Assert.True(s.Count <= candidates.First(x => x.Item1 == s.NodeId).Item2, $"{s.NodeId} over its room: {Render(shares)}"));
            Assert.Equal(shares.Count, shares.Select(s => s.NodeId).Distinct().Count());
        }
    }
}
