using HilRig.Protocol.Framing;

namespace HilRig.Protocol.Tests.Framing;

public sealed class AddressTests
{
    [Theory]
    [InlineData(0x00, false)]
    [InlineData(0x01, true)]
    [InlineData(0x7F, true)]
    [InlineData(0xFD, true)]
    [InlineData(0xFE, false)]
    [InlineData(0xFF, false)]
    public void IsChip_AcceptsOnlyModelIdRange_When_Asked(byte address, bool expected)
    {
        Assert.Equal(expected, Address.IsChip(address));
    }

    [Fact]
    public void Constants_MatchProtocolPage_When_Compared()
    {
        Assert.Equal((0x00, 0xFE, 0xFF), (Address.Module, Address.Rig, Address.Broadcast));
    }

    [Theory]
    [InlineData(0x00, "module")]
    [InlineData(0xFE, "rig")]
    [InlineData(0xFF, "all")]
    [InlineData(0x0B, "0x0B")]
    public void Describe_NamesTheAddressAsTheLogsDo(byte address, string expected) => Assert.Equal(expected, Address.Describe(address));
}
