using HilRig.Bench.Flash;

namespace HilRig.Bench.Tests.Flash;

public sealed class NorFlashTests : IDisposable
{
    private const int SectorBytes = 256;
    private const int SizeBytes = 4 * SectorBytes;
    private readonly TempFolder _folder = new();

    private string FlashPath => _folder.File("flash.bin");

    [Fact]
    public void Open_CreatesErasedFlash_When_FileDoesNotExist()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        Assert.All(flash.Read(0, SizeBytes).ToArray(), b => Assert.Equal(0xFF, b));
        Assert.Equal(SizeBytes, new FileInfo(FlashPath).Length);
    }

    [Fact]
    public void Program_OnlyClearsBits_When_WritingOverProgrammedBytes()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        flash.Program(10, [0xF0, 0x00]);
        flash.Program(10, [0x0F, 0xFF]);

        Assert.Equal(new byte[] { 0x00, 0x00 }, flash.Read(10, 2).ToArray());
    }

    [Fact]
    public void EraseSector_SetsWholeSectorToFF_When_Called()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);
        flash.Program(0, new byte[SizeBytes]);

        flash.EraseSector(SectorBytes);

        Assert.All(flash.Read(SectorBytes, SectorBytes).ToArray(), b => Assert.Equal(0xFF, b));
        Assert.All(flash.Read(0, SectorBytes).ToArray(), b => Assert.Equal(0x00, b));
        Assert.All(flash.Read(2 * SectorBytes, SectorBytes).ToArray(), b => Assert.Equal(0x00, b));
    }

    [Fact]
    public void Operations_AreInTheFileAtOnce_When_FlashIsStillOpen()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        flash.Program(5, [0x12, 0x34]);
        var afterProgram = ReadFileWhileOpen();
        flash.EraseSector(0);
        var afterErase = ReadFileWhileOpen();

        Assert.Equal(new byte[] { 0x12, 0x34 }, afterProgram[5..7]);
        Assert.Equal(0xFF, afterErase[5]);
        Assert.Equal(2, flash.OperationCount);
    }

    [Fact]
    public void Open_ReadsPersistedBytes_When_FlashIsReopened()
    {
        using (var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes))
        {
            flash.Program(300, [1, 2, 3]);
        }

        using var reopened = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        Assert.Equal(new byte[] { 1, 2, 3 }, reopened.Read(300, 3).ToArray());
        Assert.Equal(0, reopened.OperationCount);
    }

    [Fact]
    public void Open_RefusesNamingFileAndSizes_When_FileHasAnotherSize()
    {
        using (NorFlash.Open(FlashPath, SizeBytes, SectorBytes))
        {
        }

        var ex = Assert.Throws<InvalidDataException>(() => NorFlash.Open(FlashPath, 2 * SizeBytes, SectorBytes));

        Assert.Contains(FlashPath, ex.Message);
        Assert.Contains($"{SizeBytes} bytes", ex.Message);
    }

    [Fact]
    public void EraseSector_Throws_When_AddressIsNotAligned()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        Assert.Throws<ArgumentException>(() => flash.EraseSector(10));
    }

    [Fact]
    public void Program_Throws_When_RangeLeavesFlash()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);

        Assert.Throws<ArgumentOutOfRangeException>(() => flash.Program(SizeBytes - 1, [1, 2]));
    }

    public void Dispose() => _folder.Dispose();

    private byte[] ReadFileWhileOpen()
    {
        using var stream = new FileStream(FlashPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
