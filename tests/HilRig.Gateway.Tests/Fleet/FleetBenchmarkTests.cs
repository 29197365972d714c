using HilRig.Gateway.Cluster;
using HilRig.Gateway.Fleet;

namespace HilRig.Gateway.Tests.Fleet;

public sealed class FleetBenchmarkTests
{
    [Fact]
    public async Task SmallFleet_LosesAndDuplicatesNothingAndStaysWithinCapacity_When_AllLogicalNodesRollWhileCommandsFlow()
    {
        var output = new StringWriter();
        var result = await FleetBenchmark.RunAsync(new FleetOptions { Devices = 300, LogicalNodes = 3, Seed = 7, CommandsPerSecond = 500 }, output, TestContext.Current.CancellationToken);

        Assert.Equal(RolloutState.Completed, result.Rollout.State);
        Assert.True(result.CommandsSent > 0);
        Assert.Equal(0, result.CommandsLost);
        Assert.Equal(0, result.CommandsDuplicated);
        Assert.Equal(result.CommandsSent, result.CommandsCompleted);
        Assert.Empty(result.OverCapacity);
        Assert.Equal(300, result.DeviceMoves);
        Assert.Equal(12, result.Nodes.Count); // 2 old + 2 new per logical node
        Assert.Contains(result.Nodes, n => n.PeakConnections == n.Capacity); // the first node of each logical node filled up: spill happened
        FleetBenchmark.Print(result, output);
        Assert.Contains("transport:       in-memory", output.ToString());
    }
}
