using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

public class BenchWiringTests
{
    private const string Chain = """
        bench: chain
        kind: virtual
        module: { power: { kind: virtual } }
        chips:
          - { name: chip1, model_id: 0x11, power: { kind: virtual } }
          - { name: chip2, model_id: 0x12, power: { kind: virtual } }
          - { name: chip3, model_id: 0x13, power: { kind: virtual } }
        links:
          - { from: module, to: chip1, baud: 115200, rig: relay }
          - { from: chip1, to: chip2, baud: 115200, rig: relay }
          - { from: chip2, to: chip3, baud: 115200, rig: relay }
        """;

    // module -> a -> (b -> d), c ; the chips are listed in an order unrelated to the topology.
    private const string DeepTree = """
        bench: deep-tree
        kind: virtual
        module: { power: { kind: virtual } }
        chips:
          - { name: d, model_id: 4, power: { kind: virtual } }
          - { name: c, model_id: 3, power: { kind: virtual } }
          - { name: b, model_id: 2, power: { kind: virtual } }
          - { name: a, model_id: 1, power: { kind: virtual } }
        links:
          - { from: b, to: d, baud: 115200, rig: relay }
          - { from: module, to: a, baud: 115200, rig: relay }
          - { from: a, to: b, baud: 115200, rig: direct }
          - { from: a, to: c, baud: 9600, rig: tap }
        """;

    [Fact]
    public void FarToNearOrder_ListsDeepestFirst_When_BenchIsChain()
    {
        var bench = WiringAssert.Parse(Chain);

        Assert.Equal(["chip3", "chip2", "chip1"], bench.FarToNearOrder());
        Assert.Null(bench.DefaultOrder);
        Assert.Equal(["chip3", "chip2", "chip1"], bench.UpgradeOrder);
    }

    [Fact]
    public void FarToNearOrder_PutsEveryChipAfterItsDescendants_When_BenchIsTree()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal(["d", "b", "c", "a"], bench.FarToNearOrder());
    }

    [Fact]
    public void PathFromModule_ListsNodesFromModuleToChip_When_ChipIsDeep()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal(["module", "a", "b", "d"], bench.PathFromModule("d"));
        Assert.Equal(["module", "a"], bench.PathFromModule("a"));
    }

    [Fact]
    public void Children_FollowLinkOrder_When_NodeHasSeveralDownstreamPorts()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal(["b", "c"], bench.Children("a"));
        Assert.Equal(["a"], bench.Children("module"));
        Assert.Empty(bench.Children("c"));
    }

    [Fact]
    public void DownstreamPortIndex_CountsLinksOfTheSameUpstreamNode_When_LinksAreInterleaved()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal(0, bench.DownstreamPortIndex(bench.UpstreamLink("b")));
        Assert.Equal(1, bench.DownstreamPortIndex(bench.UpstreamLink("c")));
        Assert.Equal(0, bench.DownstreamPortIndex(bench.UpstreamLink("d")));
        Assert.Equal(0, bench.DownstreamPortIndex(bench.UpstreamLink("a")));
    }

    [Fact]
    public void Parent_NamesUpstreamNode_When_ChipIsKnown()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal("module", bench.Parent("a"));
        Assert.Equal("a", bench.Parent("c"));
        Assert.Throws<ArgumentException>(() => bench.Parent("nope"));
    }

    [Fact]
    public void ChipByModelId_FindsChip_When_IdIsWired()
    {
        var bench = WiringAssert.Parse(Chain);

        Assert.Equal("chip2", bench.ChipByModelId(0x12)?.Name);
        Assert.Null(bench.ChipByModelId(0x14));
    }

    [Fact]
    public void UpgradeOrder_IsDefaultOrder_When_FileGivesOne()
    {
        var bench = WiringAssert.Parse(Chain + "\nupgrade: { default_order: [chip2, chip3, chip1] }\n");

        Assert.Equal(["chip2", "chip3", "chip1"], bench.UpgradeOrder);
        Assert.Equal(["chip3", "chip2", "chip1"], bench.FarToNearOrder());
    }

    [Fact]
    public void Links_KeepRigModeAndBaud_When_Parsed()
    {
        var bench = WiringAssert.Parse(DeepTree);

        Assert.Equal(RigMode.Direct, bench.UpstreamLink("b").RigMode);
        Assert.Equal(RigMode.Tap, bench.UpstreamLink("c").RigMode);
        Assert.Equal(9600, bench.UpstreamLink("c").BaudRate);
        Assert.Equal(13, bench.UpstreamLink("c").Line);
    }
}
