using HilRig.Bench.Flash;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Flash;

public sealed class MemoryMarkStoreTests : IDisposable
{
    private static readonly FlashLayout Layout = new(256, 1024);
    private readonly TempFolder _folder = new();

    private string FlashPath => _folder.File("flash.bin");

    private NorFlash OpenFlash() => NorFlash.Open(FlashPath, Layout.TotalSizeBytes, Layout.SectorSizeBytes);

    private static MemoryMarkRecord Mark(ChipMode mode, uint persisted = 0) =>
        MemoryMarkRecord.Factory with { Mode = mode, PersistedOffset = persisted, CampaignId = 9 };

    [Fact]
    public void Current_IsFactoryRecord_When_FlashIsBlank()
    {
        using var flash = OpenFlash();

        Assert.Same(MemoryMarkRecord.Factory, new MemoryMarkStore(flash, Layout).Current);
    }

    [Fact]
    public void Write_AlternatesSlotsWithRisingSequence_When_CalledRepeatedly()
    {
        using var flash = OpenFlash();
        var store = new MemoryMarkStore(flash, Layout);

        var slotsWritten = new List<int>();
        foreach (var mode in new[] { ChipMode.PassThrough, ChipMode.Upgrade, ChipMode.Initial, ChipMode.Sleep })
        {
            var stored = store.Write(Mark(mode));
            slotsWritten.Add(Enumerable.Range(0, 2).Single(s => Same(MemoryMarkRecord.TryDecode(flash.Read(Layout.MarkSlotAddress(s), 64)), stored)));
        }

        Assert.Equal([0, 1, 0, 1], slotsWritten);
        Assert.Equal(4u, store.Current.Sequence);
        Assert.Equal(ChipMode.Sleep, store.Current.Mode);
    }

    [Fact]
    public void Current_IsNewestRecord_When_FlashIsReopened()
    {
        using (var flash = OpenFlash())
        {
            var store = new MemoryMarkStore(flash, Layout);
            store.Write(Mark(ChipMode.PassThrough));
            store.Write(Mark(ChipMode.Upgrade, 4096));
            store.Write(Mark(ChipMode.Upgrade, 8192));
        }

        Assert.Equal((3u, ChipMode.Upgrade, 8192u), CurrentAfterReopening());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(63)]
    public void Current_IsPreviousRecord_When_NewerSlotIsTornInTheFile(int tornByte)
    {
        WritePassThroughThenUpgrade(_ => { });
        // Record 2 went to slot 1: damage one of its bytes in the flash file, as a cut mid-program leaves it.
        using (var file = new FileStream(FlashPath, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = Layout.MarkSlotAddress(1) + tornByte;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x5A));
        }

        Assert.Equal((1u, ChipMode.PassThrough, 0u), CurrentAfterReopening());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(63)]
    public void Current_IsPreviousRecord_When_CutLandsBetweenEraseAndEndOfProgram(int programmedBytes)
    {
        WritePassThroughThenUpgrade(flash =>
        {
            // Record 3 goes to slot 0: the erase happened, the program stopped after some bytes.
            var next = (Mark(ChipMode.Initial) with { Sequence = 3 }).Encode();
            flash.EraseSector(Layout.MarkSlotAddress(0));
            flash.Program(Layout.MarkSlotAddress(0), next.AsSpan(0, programmedBytes));
        });

        Assert.Equal((2u, ChipMode.Upgrade, 0u), CurrentAfterReopening());
    }

    [Fact]
    public void Write_GoesToTornSlotNotTheValidOne_When_NewerSlotWasTorn()
    {
        using (var flash = OpenFlash())
        {
            var store = new MemoryMarkStore(flash, Layout);
            store.Write(Mark(ChipMode.PassThrough));
            store.Write(Mark(ChipMode.Upgrade));
            flash.EraseSector(Layout.MarkSlotAddress(1));
        }
        using var reopened = OpenFlash();
        var reopenedStore = new MemoryMarkStore(reopened, Layout);

        var stored = reopenedStore.Write(Mark(ChipMode.Sleep));

        Assert.Equal(2u, stored.Sequence);
        Assert.True(Same(MemoryMarkRecord.TryDecode(reopened.Read(Layout.MarkSlotAddress(1), 64)), stored));
        Assert.Equal((1u, ChipMode.PassThrough, 0u), Fields(MemoryMarkRecord.TryDecode(reopened.Read(Layout.MarkSlotAddress(0), 64))!));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Current_IsPreviousRecordOrTheNewOneWhenComplete_When_PowerIsCutInsideAMarkWrite(int operation)
    {
        for (var seed = 0; seed < 40; seed++)
        {
            PowerCutException cut;
            using (var flash = OpenFlash())
            {
                var store = new MemoryMarkStore(flash, Layout);
                store.Write(Mark(ChipMode.PassThrough));
                store.Write(Mark(ChipMode.Upgrade, 256));
                // Operation 1 is the erase of slot 0, operation 2 the program of record 3 into it.
                flash.FaultPlan = new FlashFaultPlan(operation, seed);
                cut = Assert.Throws<PowerCutException>(() => store.Write(Mark(ChipMode.Initial, 512)));
            }

            MemoryMarkRecord current;
            bool recordThreeWhole;
            using (var reopened = OpenFlash())
            {
                current = new MemoryMarkStore(reopened, Layout).Current;
                var recordThree = (Mark(ChipMode.Initial, 512) with { Sequence = 3 }).Encode();
                recordThreeWhole = reopened.Read(Layout.MarkSlotAddress(0), MemoryMarkRecord.SizeBytes).SequenceEqual(recordThree);
            }
            File.Delete(FlashPath);

            // Record 3 is whole when its program got through, or when only its last byte was torn and the
            // torn byte happened to get every bit; never when the cut landed earlier.
            var programDone = operation == 2 && cut.TornAfterBytes == MemoryMarkRecord.SizeBytes;
            var lastByteTorn = operation == 2 && cut.TornAfterBytes == MemoryMarkRecord.SizeBytes - 1;
            Assert.True(programDone ? recordThreeWhole : !recordThreeWhole || lastByteTorn, $"seed {seed}: torn after {cut.TornAfterBytes}, record 3 whole: {recordThreeWhole}");
            Assert.Equal(recordThreeWhole ? (3u, ChipMode.Initial, 512u) : (2u, ChipMode.Upgrade, 256u), Fields(current));
        }
    }

    [Fact]
    public void Current_IsFactoryRecord_When_SingleSlotMarkWriteIsTornInsideItsErase()
    {
        var erase = new FlashOperation(1, FlashOperationKind.Erase, Layout.MarkSlotAddress(0), Layout.SectorSizeBytes);
        var seed = Enumerable.Range(0, 100).First(s => new FlashFaultPlan(1, s).TearErase(erase, new byte[Layout.SectorSizeBytes]) >= 4);
        using (var flash = OpenFlash())
        {
            var store = new MemoryMarkStore(flash, Layout, singleSlot: true);
            store.Write(Mark(ChipMode.PassThrough));
            flash.FaultPlan = new FlashFaultPlan(1, seed);
            Assert.Throws<PowerCutException>(() => store.Write(Mark(ChipMode.Upgrade)));
        }

        using var reopened = OpenFlash();

        Assert.Same(MemoryMarkRecord.Factory, new MemoryMarkStore(reopened, Layout).Current);
    }

    public void Dispose() => _folder.Dispose();

    private static bool Same(MemoryMarkRecord? a, MemoryMarkRecord b) => a is not null && a.Encode().AsSpan().SequenceEqual(b.Encode());

    private static (uint, ChipMode, uint) Fields(MemoryMarkRecord r) => (r.Sequence, r.Mode, r.PersistedOffset);

    /// <summary>Record 1 (PASS_THROUGH, slot 0) and record 2 (UPGRADE, slot 1), then <paramref name="then"/> on the same flash.</summary>
    private void WritePassThroughThenUpgrade(Action<NorFlash> then)
    {
        using var flash = OpenFlash();
        var store = new MemoryMarkStore(flash, Layout);
        store.Write(Mark(ChipMode.PassThrough));
        store.Write(Mark(ChipMode.Upgrade));
        then(flash);
    }

    /// <summary>The current record of the flash file opened again, as the chip sees it at its next boot.</summary>
    private (uint, ChipMode, uint) CurrentAfterReopening()
    {
        using var reopened = OpenFlash();
        return Fields(new MemoryMarkStore(reopened, Layout).Current);
    }
}
