using System.Globalization;

namespace HilRig.Core.Bench;

/// <summary>
/// One run per bench at a time, across processes: `hilrig run` and `hilrig serve` take the bench's lock
/// before they power anything. The lock is an OS file lock (an exclusive open, which .NET takes with
/// flock on Linux) on <c>&lt;bench&gt;.lock</c> in <see cref="DefaultDirectory"/>; it goes away with the
/// process that holds it, however that process ends. Who holds it (pid, command, since when) is written
/// beside it, for the message the next comer gets.
/// </summary>
public sealed class BenchLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _ownerPath;

    private BenchLock(string bench, FileStream stream, string ownerPath)
    {
        Bench = bench;
        _stream = stream;
        _ownerPath = ownerPath;
    }

    /// <summary>The bench this lock is for.</summary>
    public string Bench { get; }

    /// <summary>
    /// Where locks live: $HILRIG_LOCK_DIR, else /tmp/hilrig-locks: one place for the whole machine, so the
    /// service (its own user) and a person's command-line run (another user) see each other's locks.
    /// </summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("HILRIG_LOCK_DIR") is { Length: > 0 } dir ? dir : "/tmp/hilrig-locks";

    /// <summary>Takes the lock of <paramref name="bench"/> if it is free; null when another run holds it.</summary>
    /// <param name="bench">Bench name (from the wiring file).</param>
    /// <param name="purpose">What the holder is doing, shown to the next comer (e.g. "hilrig run").</param>
    /// <param name="directory">Lock directory (default <see cref="DefaultDirectory"/>).</param>
    public static BenchLock? TryAcquire(string bench, string purpose, string? directory = null)
    {
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            // Sticky and writable by all, like /tmp: every user of the bench can take its lock.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        }
        var path = Path.Combine(directory, SafeName(bench) + ".lock");
        FileStream stream;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
            }
            Directory.CreateDirectory(directory);
            stream = new FileStream(path, options);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot open the lock of bench '{bench}' ({path}): {ex.Message}; set HILRIG_LOCK_DIR to a directory every user of the bench can write", ex);
        }
        catch (IOException)
        {
            return null;
        }
        var owner = Path.Combine(directory, SafeName(bench) + ".owner");
        File.WriteAllText(owner, string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} ({purpose}) since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss}"));
        return new BenchLock(bench, stream, owner);
    }

    /// <summary>Waits until the lock of <paramref name="bench"/> is free and takes it; <paramref name="waiting"/> is told once who holds it.</summary>
    public static async Task<BenchLock> AcquireAsync(string bench, string purpose, Action<string>? waiting, CancellationToken cancellationToken, string? directory = null)
    {
        var told = false;
        while (true)
        {
            if (TryAcquire(bench, purpose, directory) is { } taken) return taken;
            if (!told)
            {
                waiting?.Invoke(Holder(bench, directory));
                told = true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Who holds the lock of <paramref name="bench"/>, as written by the holder.</summary>
    public static string Holder(string bench, string? directory = null)
    {
        var owner = Path.Combine(directory ?? DefaultDirectory, SafeName(bench) + ".owner");
        try
        {
            return File.Exists(owner) ? File.ReadAllText(owner).Trim() : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath);
        }
        catch (IOException)
        {
        }
        _stream.Dispose();
    }

    private static string SafeName(string bench)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(bench.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }
}
