namespace HilRig.Serial;

/// <summary>
/// Keeps enough thread-pool threads ready for a bench. A UART on a real port is a System.IO.Ports stream whose
/// synchronous writes park a pool thread until its I/O loop has written the bytes, and a bench runs many timers
/// and relay loops at once; with the default minimum (one thread per core, two on CI) a busy machine starved the
/// pool and a relay sat on a frame for seconds (seen: an 8.6 s stall in the middle of a campaign under load,
/// when the virtual bench's ptys were System.IO.Ports streams too; they are PtyStreams now, see SerialLine).
/// </summary>
public static class RigThreadPool
{
    /// <summary>Minimum worker and I/O completion threads a bench process keeps.</summary>
    public const int MinimumThreads = 32;

    /// <summary>Raises the pool's minimum to <see cref="MinimumThreads"/> (never lowers it).</summary>
    public static void Ensure()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < MinimumThreads || io < MinimumThreads)
        {
            ThreadPool.SetMinThreads(Math.Max(workers, MinimumThreads), Math.Max(io, MinimumThreads));
        }
    }
}
