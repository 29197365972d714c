using HilRig.Protocol.Persistence;

namespace HilRig.Protocol.Tests.Persistence;

public sealed class FlashLayoutTests
{
    [Fact]
    public void Addresses_FollowDocumentedLayout_When_LayoutIsDefault()
    {
        var layout = FlashLayout.Default;

        Assert.Equal((0, 4096), (layout.MarkSlotAddress(0), layout.MarkSlotAddress(1)));
        Assert.Equal((8192, 8192 + 65536), (layout.ImageSlotAddress(0), layout.ImageSlotAddress(1)));
        Assert.Equal(139264, layout.TotalSizeBytes);
        Assert.Equal(4096, layout.MarkIntervalBytes);
        Assert.Null(layout.Validate());
    }

    [Theory]
    [InlineData(128, 1024, "power of two of at least 256")]
    [InlineData(3000, 6000, "power of two of at least 256")]
    [InlineData(4096, 5000, "multiple of the sector size")]
    [InlineData(4096, 0, "positive multiple")]
    public void Validate_NamesBrokenRule_When_SizesAreWrong(int sector, int slot, string rule)
    {
        Assert.Contains(rule, new FlashLayout(sector, slot).Validate());
    }
}
