using System.Text.RegularExpressions;
using HilRig.Bench.Flash;

namespace HilRig.Bench.Tests.Flash;

/// <summary>Torn erases and programs, deterministic from the seed and the operation number (docs/protocol.md §10.5).</summary>
public sealed class FlashFaultPlanTests : IDisposable
{
    private const int SectorBytes = 256;
    private const int SizeBytes = 4 * SectorBytes;
    private static readonly FlashOperation Erase7 = new(7, FlashOperationKind.Erase, SectorBytes, SectorBytes);
    private static readonly FlashOperation Program7 = new(7, FlashOperationKind.Program, 0x40, 200);
    private readonly TempFolder _folder = new();

    private string FlashPath => _folder.File("flash.bin");

    /// <summary>Cells as left by earlier writes: a mix of 0 and 1 bits, so both kinds of change happen.</summary>
    private static byte[] OldCells(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 37 + 0x5A)).ToArray();

    private static byte[] NewData(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 91 + 0x13)).ToArray();

    private static (byte[] Cells, int Done) TornProgram(int seed, FlashOperation operation)
    {
        var cells = OldCells(operation.LengthBytes);
        var done = new FlashFaultPlan(operation.Number, seed).TearProgram(operation, cells, NewData(operation.LengthBytes));
        return (cells, done);
    }

    private static (byte[] Cells, int Done) TornErase(int seed, FlashOperation operation)
    {
        var cells = OldCells(operation.LengthBytes);
        var done = new FlashFaultPlan(operation.Number, seed).TearErase(operation, cells);
        return (cells, done);
    }

    [Fact]
    public void TearProgram_LeavesSameBytes_When_SeedAndOperationRepeat()
    {
        foreach (var seed in new[] { 0, 1, 42, -5 })
        {
            var first = TornProgram(seed, Program7);
            var second = TornProgram(seed, Program7);

            Assert.Equal(first.Done, second.Done);
            Assert.Equal(first.Cells, second.Cells);
        }
    }

    [Fact]
    public void TearErase_LeavesSameBytes_When_SeedAndOperationRepeat()
    {
        foreach (var seed in new[] { 0, 1, 42, -5 })
        {
            var first = TornErase(seed, Erase7);
            var second = TornErase(seed, Erase7);

            Assert.Equal(first.Done, second.Done);
            Assert.Equal(first.Cells, second.Cells);
        }
    }

    [Fact]
    public void Tear_LeavesDifferentBytes_When_SeedOrOperationNumberChanges()
    {
        var program = TornProgram(0, Program7).Cells;
        var erase = TornErase(0, Erase7).Cells;

        // A single other seed may tear the same way by chance (a quarter of tears are "nothing happened"),
        // so the check is that the outcome depends on the seed and on the operation number at all.
        Assert.Contains(Enumerable.Range(1, 8), s => !TornProgram(s, Program7).Cells.SequenceEqual(program));
        Assert.Contains(Enumerable.Range(1, 8), s => !TornErase(s, Erase7).Cells.SequenceEqual(erase));
        Assert.Contains(Enumerable.Range(8, 8), n => !TornProgram(0, Program7 with { Number = n }).Cells.SequenceEqual(program));
    }

    [Fact]
    public void TearProgram_ProgramsPrefixPartlyProgramsNextByteAndLeavesTheRest_When_Cut()
    {
        var old = OldCells(Program7.LengthBytes);
        var data = NewData(Program7.LengthBytes);
        for (var seed = 0; seed < 200; seed++)
        {
            var (cells, done) = TornProgram(seed, Program7);

            Assert.InRange(done, 0, Program7.LengthBytes);
            for (var i = 0; i < cells.Length; i++)
            {
                var programmed = (byte)(old[i] & data[i]);
                if (i < done)
                {
                    Assert.Equal(programmed, cells[i]);
                }
                else if (i == done)
                {
                    // Only 1→0 changes of the program, some of them: between the old and the programmed byte.
                    Assert.Equal(0, cells[i] & ~old[i]);
                    Assert.Equal(programmed, (byte)(cells[i] & programmed));
                }
                else
                {
                    Assert.Equal(old[i], cells[i]);
                }
            }
        }
    }

    [Fact]
    public void TearErase_ErasesPrefixPartlyErasesNextByteAndLeavesTheRest_When_Cut()
    {
        var old = OldCells(Erase7.LengthBytes);
        for (var seed = 0; seed < 200; seed++)
        {
            var (cells, done) = TornErase(seed, Erase7);

            Assert.InRange(done, 0, Erase7.LengthBytes);
            for (var i = 0; i < cells.Length; i++)
            {
                if (i < done)
                {
                    Assert.Equal(0xFF, cells[i]);
                }
                else if (i == done)
                {
                    // Only 0→1 changes: every bit that was 1 still is.
                    Assert.Equal(old[i], cells[i] & old[i]);
                }
                else
                {
                    Assert.Equal(old[i], cells[i]);
                }
            }
        }
    }

    [Fact]
    public void Tear_StopsAtBothEndsOftenAndInBetweenMostly_When_ManySeedsAreTried()
    {
        var prefixes = Enumerable.Range(0, 400).Select(s => TornProgram(s, Program7).Done).ToList();

        Assert.InRange(prefixes.Count(k => k == 0), 60, 150);
        Assert.InRange(prefixes.Count(k => k == Program7.LengthBytes), 60, 150);
        Assert.True(prefixes.Distinct().Count() > 50, "prefixes in between are spread over the range");
    }

    [Fact]
    public void Program_WritesTornBytesToFileAndThrowsPowerCut_When_PlanCutsInsideIt()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);
        var plan = new FlashFaultPlan(cutAtOperation: 2, seed: 3);
        var seen = new List<FlashOperation>();
        plan.OperationStarting += seen.Add;
        flash.FaultPlan = plan;
        flash.EraseSector(0);
        var data = NewData(SectorBytes);

        var cut = Assert.Throws<PowerCutException>(() => flash.Program(0, data));

        Assert.Equal(new FlashOperation(2, FlashOperationKind.Program, 0, SectorBytes), cut.Operation);
        Assert.Equal([1L, 2L], seen.Select(o => o.Number));
        var expected = Enumerable.Repeat((byte)0xFF, SectorBytes).ToArray();
        Assert.Equal(cut.TornAfterBytes, plan.TearProgram(cut.Operation, expected, data));
        Assert.Equal(expected, flash.Read(0, SectorBytes).ToArray());
        flash.Dispose();
        Assert.Equal(expected, File.ReadAllBytes(FlashPath)[..SectorBytes]);
    }

    [Fact]
    public void EraseSector_WritesTornSectorToFileAndThrowsPowerCut_When_PlanCutsInsideIt()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);
        flash.Program(SectorBytes, new byte[SectorBytes]);
        flash.FaultPlan = new FlashFaultPlan(cutAtOperation: 1, seed: 11);

        var cut = Assert.Throws<PowerCutException>(() => flash.EraseSector(SectorBytes));

        var expected = new byte[SectorBytes];
        flash.FaultPlan.TearErase(cut.Operation, expected);
        Assert.Equal(expected, flash.Read(SectorBytes, SectorBytes).ToArray());
        flash.Dispose();
        Assert.Equal(expected, File.ReadAllBytes(FlashPath)[SectorBytes..(2 * SectorBytes)]);
    }

    [Fact]
    public void Operations_CountFromAttachAndNeverTear_When_CutIsElsewhere()
    {
        using var flash = NorFlash.Open(FlashPath, SizeBytes, SectorBytes);
        flash.Program(0, [0x00]);
        var plan = new FlashFaultPlan(cutAtOperation: 3);
        flash.FaultPlan = plan;

        flash.EraseSector(0);
        flash.Program(0, [0x12, 0x34]);

        Assert.Equal(2, plan.OperationCount);
        Assert.Equal(new byte[] { 0x12, 0x34, 0xFF }, flash.Read(0, 3).ToArray());
    }

    [Fact]
    public void ToString_MatchesTheLineTheRigParses_When_OperationIsLogged()
    {
        var pattern = new Regex(@"flash op #(\d+) (erase|program) 0x([0-9A-F]+)\+(\d+)");

        Assert.Equal("flash op #12 erase 0x1000+4096", new FlashOperation(12, FlashOperationKind.Erase, 0x1000, 4096).ToString());
        Assert.Equal("flash op #3 program 0x2ABC0+512", new FlashOperation(3, FlashOperationKind.Program, 0x2ABC0, 512).ToString());
        var match = pattern.Match(new FlashOperation(3, FlashOperationKind.Program, 0x2ABC0, 512).ToString());
        Assert.Equal(["3", "program", "2ABC0", "512"], match.Groups.Values.Skip(1).Select(g => g.Value));
    }

    public void Dispose() => _folder.Dispose();
}
