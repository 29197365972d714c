using System.Globalization;
using HilRig.Platform.Files;

namespace HilRig.Core.Bench;

/// <summary>
/// One run per bench at a time, across processes and users: `hilrig run` and `hilrig serve` take the bench's
/// lock before they power anything. The lock is an flock on <c>&lt;bench&gt;.lock</c> in
/// <see cref="DefaultDirectory"/>, opened without following symlinks (<see cref="LockFile"/>); it goes away
/// with the process that holds it, however that process ends. Who holds it (pid, command, since when) is
/// written beside it atomically, for the message the next comer gets.
/// </summary>
public sealed class BenchLock : IDisposable
{
    /// <summary>The machine-wide lock directory that setup (./setup.sh bench-group) and the systemd unit create: group hilrig, mode 2770.</summary>
    public const string SharedDirectory = "/run/hilrig";

    private readonly LockFile _file;

    private BenchLock(string bench, LockFile file)
    {
        Bench = bench;
        _file = file;
    }

    /// <summary>The bench this lock is for.</summary>
    public string Bench { get; }

    /// <summary>
    /// Where locks live: $HILRIG_LOCK_DIR; else <see cref="SharedDirectory"/> when setup made it (the service and
    /// every bench user in group hilrig see each other's locks); else this user's private runtime directory
    /// (a machine without setup: runs of this user exclude each other, other users do not see them).
    /// </summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("HILRIG_LOCK_DIR") is { Length: > 0 } dir ? dir
        : Directory.Exists(SharedDirectory) ? SharedDirectory
        : Path.Combine(Platform.Files.SharedDirectory.UserRuntime(), "locks");

    /// <summary>Takes the lock of <paramref name="bench"/> if it is free; null when another run holds it.</summary>
    /// <param name="bench">Bench name (from the wiring file).</param>
    /// <param name="purpose">What the holder is doing, shown to the next comer (e.g. "hilrig run").</param>
    /// <param name="directory">Lock directory (default <see cref="DefaultDirectory"/>).</param>
    /// <exception cref="IOException">The lock cannot be taken safely: a symlink where the lock goes, a directory anyone may write, no permission. The message names the file and what to do.</exception>
    public static BenchLock? TryAcquire(string bench, string purpose, string? directory = null)
    {
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            // Group-writable for the bench users, setgid so files inherit the directory's group.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.SetGroup);
        }
        Platform.Files.SharedDirectory.CheckShared(directory);
        var path = Path.Combine(directory, SafeName(bench) + ".lock");
        var file = LockFile.TryAcquire(path, string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} ({purpose}) since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss}"));
        return file is null ? null : new BenchLock(bench, file);
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
    public static string Holder(string bench, string? directory = null) =>
        LockFile.Holder(Path.Combine(directory ?? DefaultDirectory, SafeName(bench) + ".lock"));

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static string SafeName(string bench)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(bench.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }
}
