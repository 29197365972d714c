namespace HilRig.Bench.Flash;

/// <summary>
/// Numbers the flash operations of one power-on (from 1, in the order they begin) and, when told to,
/// cuts the power inside operation <see cref="CutAtOperation"/>: the operation is applied only in part,
/// deterministically from <see cref="Seed"/> and the operation number, so `--seed S --cut-at-flash-op N`
/// tears the same bits every time. Attach it with <see cref="NorFlash.FaultPlan"/>.
/// </summary>
/// <remarks>
/// The tear model (docs/protocol.md §10.5): the operation works through its range byte by byte; a
/// prefix of K bytes is done, the next byte has only some of its bit changes (1→0 for a program, 0→1
/// for an erase), the rest is untouched. K is 0 (nothing happened) with probability 1/4, the whole
/// range (done, the chip dies right after) with probability 1/4, otherwise uniform in between.
/// </remarks>
public sealed class FlashFaultPlan(long? cutAtOperation = null, int seed = 0)
{
    /// <summary>The 1-based number of the operation the power is cut inside; null for no cut.</summary>
    public long? CutAtOperation { get; } = cutAtOperation;

    /// <summary>The seed that, with the operation number, decides how the operation is torn.</summary>
    public int Seed { get; } = seed;

    /// <summary>Operations begun since this plan was attached.</summary>
    public long OperationCount { get; private set; }

    /// <summary>Raised as each operation begins, before anything is changed (the `--log-flash-ops` hook).</summary>
    public event Action<FlashOperation>? OperationStarting;

    /// <summary>Counts a new operation and announces it; returns it with its number.</summary>
    internal FlashOperation Begin(FlashOperationKind kind, int address, int lengthBytes)
    {
        var operation = new FlashOperation(++OperationCount, kind, address, lengthBytes);
        OperationStarting?.Invoke(operation);
        return operation;
    }

    /// <summary>Whether the power fails inside <paramref name="operation"/>.</summary>
    public bool CutsInside(FlashOperation operation) => operation.Number == CutAtOperation;

    /// <summary>
    /// Applies a torn erase to <paramref name="cells"/> (the sector's current bytes); returns the number
    /// of leading bytes fully erased.
    /// </summary>
    public int TearErase(FlashOperation operation, Span<byte> cells)
    {
        var random = RandomFor(operation);
        var done = PrefixBytes(ref random, cells.Length);
        cells[..done].Fill(0xFF);
        if (done < cells.Length)
        {
            var rising = (byte)~cells[done];
            cells[done] |= (byte)(rising & random.NextByte());
        }
        return done;
    }

    /// <summary>
    /// Applies a torn program of <paramref name="data"/> to <paramref name="cells"/> (the bytes currently
    /// at the target range); returns the number of leading bytes fully programmed.
    /// </summary>
    public int TearProgram(FlashOperation operation, Span<byte> cells, ReadOnlySpan<byte> data)
    {
        if (cells.Length != data.Length)
        {
            throw new ArgumentException($"torn program of {data.Length} byte(s) over {cells.Length} cell(s)");
        }
        var random = RandomFor(operation);
        var done = PrefixBytes(ref random, cells.Length);
        for (var i = 0; i < done; i++)
        {
            cells[i] &= data[i];
        }
        if (done < cells.Length)
        {
            var falling = (byte)(cells[done] & ~data[done]);
            cells[done] &= (byte)~(falling & random.NextByte());
        }
        return done;
    }

    private SplitMix64 RandomFor(FlashOperation operation) => RandomFor(Seed, operation.Number);

    private static SplitMix64 RandomFor(int seed, long operationNumber) =>
        new(((ulong)(uint)seed << 32) ^ (ulong)operationNumber ^ 0x48494C5249470000UL);

    /// <summary>
    /// The bytes fully done when operation <paramref name="operationNumber"/> of <paramref name="lengthBytes"/> is torn with
    /// <paramref name="seed"/> (K of docs/protocol.md §10.5): lets a test pick a seed that tears an operation part-way.
    /// </summary>
    public static int TornPrefixBytes(int seed, long operationNumber, int lengthBytes)
    {
        var random = RandomFor(seed, operationNumber);
        return PrefixBytes(ref random, lengthBytes);
    }

    private static int PrefixBytes(ref SplitMix64 random, int lengthBytes)
    {
        // Both ends get a quarter each, so a sweep meets "nothing written" and "done, then dead" often.
        var choice = random.Next() % 4;
        return choice switch
        {
            0 => 0,
            1 => lengthBytes,
            _ => lengthBytes <= 1 ? 0 : (int)(random.Next() % (ulong)lengthBytes),
        };
    }

    /// <summary>SplitMix64: fixed here rather than System.Random, whose algorithm may change between .NET versions.</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public byte NextByte() => (byte)(Next() >> 56);
    }
}
