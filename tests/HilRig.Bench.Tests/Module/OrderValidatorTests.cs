using HilRig.Bench.Module;

namespace HilRig.Bench.Tests.Module;

public sealed class OrderValidatorTests
{
    private static TopologyEntry Entry(byte id, byte parent) => new(id, parent, ChipMode.Initial, new(1, 0, 0));

    /// <summary>module - 0x11 - 0x12 - 0x13.</summary>
    private static readonly IReadOnlyList<TopologyEntry> Chain = [Entry(0x11, 0x00), Entry(0x12, 0x11), Entry(0x13, 0x12)];

    /// <summary>module - 0x21, with 0x22 and 0x23 both below 0x21.</summary>
    private static readonly IReadOnlyList<TopologyEntry> Tree = [Entry(0x21, 0x00), Entry(0x22, 0x21), Entry(0x23, 0x21)];

    [Fact]
    public void Validate_RefusesNamingBothChips_When_AncestorComesBeforeDescendant()
    {
        var error = OrderValidator.Validate([0x13, 0x11, 0x12], Chain);

        Assert.NotNull(error);
        Assert.Contains("0x11", error);
        Assert.Contains("0x12", error);
        Assert.Contains("asleep", error);
    }

    [Fact]
    public void Validate_RefusesRootFirst_When_TopologyIsATree()
    {
        var error = OrderValidator.Validate([0x21, 0x22, 0x23], Tree);

        Assert.NotNull(error);
        Assert.Contains("0x21", error);
        Assert.Contains("0x22", error);
    }

    [Theory]
    [InlineData(new byte[] { 0x13, 0x12, 0x11 })]
    [InlineData(new byte[] { 0x12, 0x11 })]
    [InlineData(new byte[] { 0x11 })]
    [InlineData(new byte[] { })]
    public void Validate_Accepts_When_OrderIsFarToNearOnAChainOrASubsetKeepingAncestors(byte[] order)
    {
        Assert.Null(OrderValidator.Validate(order, Chain));
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x23, 0x21 })]
    [InlineData(new byte[] { 0x23, 0x22, 0x21 })]
    [InlineData(new byte[] { 0x23, 0x21 })]
    public void Validate_Accepts_When_SiblingsComeInAnyOrderBeforeTheirParent(byte[] order)
    {
        Assert.Null(OrderValidator.Validate(order, Tree));
    }

    [Fact]
    public void Validate_Accepts_When_AnAncestorIsLeftOutOfTheOrder()
    {
        Assert.Null(OrderValidator.Validate([0x13], Chain));
    }

    [Fact]
    public void Validate_Refuses_When_OrderNamesAChipThatDidNotAnswerPrepare()
    {
        Assert.Contains("chip 0x14 is in the order but did not answer PREPARE", OrderValidator.Validate([0x14, 0x13], Chain));
    }

    [Fact]
    public void Validate_Refuses_When_OrderNamesAChipTwice()
    {
        Assert.Contains("twice", OrderValidator.Validate([0x13, 0x13, 0x12], Chain));
    }
}
