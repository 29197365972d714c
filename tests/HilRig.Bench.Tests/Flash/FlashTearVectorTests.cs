using HilRig.Bench.Flash;

namespace HilRig.Bench.Tests.Flash;

/// <summary>
/// Known answers of the §10.5 tear derivation (docs/protocol.md), computed from the page's text by an independent
/// transcription (Python), so a chip of another team that follows the page tears the same bytes and bits as this one.
/// </summary>
public sealed class FlashTearVectorTests
{
    [Theory]
    [InlineData(1, 1, 4096, 3722)]
    [InlineData(7, 3, 4096, 3267)]
    [InlineData(-5, 2, 64, 0)]
    [InlineData(12345, 9, 512, 341)]
    [InlineData(2, 4, 100, 5)]
    [InlineData(3, 5, 100, 78)]
    public void TornPrefixBytes_MatchesThePage(int seed, long operation, int length, int expected) =>
        Assert.Equal(expected, FlashFaultPlan.TornPrefixBytes(seed, operation, length));

    [Fact]
    public void TearErase_SetsThePrefixAndSomeBitsOfTheNextByte_AsThePageDraws()
    {
        // S = 2, N = 4, L = 100: K = 5, mask 0xC2 (the third draw's top byte).
        var cells = new byte[100];
        var done = new FlashFaultPlan(4, 2).TearErase(new FlashOperation(4, FlashOperationKind.Erase, 0, 100), cells);

        Assert.Equal(5, done);
        Assert.All(cells[..5], b => Assert.Equal(0xFF, b));
        Assert.Equal(0xC2, cells[5]);
        Assert.All(cells[6..], b => Assert.Equal(0x00, b));
    }

    [Fact]
    public void TearProgram_ClearsThePrefixAndSomeBitsOfTheNextByte_AsThePageDraws()
    {
        // S = 3, N = 5, L = 100: K = 78, mask 0xE9: byte 78 keeps only the bits the mask does not clear.
        var cells = Enumerable.Repeat((byte)0xFF, 100).ToArray();
        var done = new FlashFaultPlan(5, 3).TearProgram(new FlashOperation(5, FlashOperationKind.Program, 0, 100), cells, new byte[100]);

        Assert.Equal(78, done);
        Assert.All(cells[..78], b => Assert.Equal(0x00, b));
        Assert.Equal(0x16, cells[78]);
        Assert.All(cells[79..], b => Assert.Equal(0xFF, b));
    }
}
