using System.Globalization;
using System.Text;
using HilRig.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace HilRig.Platform.Files;

/// <summary>
/// An exclusive lock held by a process: an flock on a file opened without following symlinks, plus an owner
/// record beside it (who holds it, for the next comer) written atomically. The lock goes with the process
/// however it ends. A symlink planted where the lock file or its record should be is refused (the lock) or
/// replaced without being followed (the record): the link's target is never opened for writing.
/// </summary>
public sealed class LockFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _ownerPath;

    private LockFile(string path, SafeFileHandle handle, string ownerPath)
    {
        Path = path;
        _handle = handle;
        _ownerPath = ownerPath;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Takes the lock at <paramref name="path"/> (created with mode 0660 if missing) and writes
    /// <paramref name="owner"/> to <c>PATH.owner</c>; null when another process holds it.
    /// </summary>
    /// <exception cref="IOException">The lock cannot be opened: a symlink sits there, or no permission; the message says which and where.</exception>
    public static LockFile? TryAcquire(string path, string owner)
    {
        var fd = Libc.Open(path, Libc.ORdWr | Libc.OCreat | Libc.ONoFollow | Libc.OCloExec, 0x1B0 /* 0660 */);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            var what = Libc.Lstat(path) is { } st ? $"{SharedDirectory.Describe(st.Mode)} of uid {st.Uid}" : "missing";
            throw new IOException(errno switch
            {
                Libc.ELoop => $"{path} is a symbolic link ({what}), not a lock file: refusing to follow it; remove it if no one planted it on purpose",
                Libc.EAcces or Libc.EPerm => $"{path} ({what}) cannot be opened by this user: the lock directory and its files must be group-writable by the bench users (./setup.sh bench-group)",
                _ => $"{path} ({what}) cannot be opened: errno {errno}",
            });
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // Under a usual umask (022) the file would be created 0644 and no other bench user could open it.
        _ = Libc.Fchmod(fd, 0x1B0);
        if (Libc.Flock(fd, Libc.LockEx | Libc.LockNb) != 0)
        {
            handle.Dispose();
            return null;
        }
        var ownerPath = path + ".owner";
        WriteAtomically(ownerPath, owner);
        return new LockFile(path, handle, ownerPath);
    }

    /// <summary>Who holds the lock at <paramref name="path"/>, as its holder wrote it, or "another process".</summary>
    public static string Holder(string path)
    {
        var ownerPath = path + ".owner";
        if (Libc.Lstat(ownerPath) is not { } st || (st.Mode & Libc.SIfMt) != Libc.SIfReg) return "another process";
        try
        {
            var text = File.ReadAllText(ownerPath).Trim();
            return text.Length is > 0 and < 500 && text.All(c => !char.IsControl(c)) ? text : "another process";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> as one step: a fresh file (O_EXCL, O_NOFOLLOW)
    /// renamed over it. A symlink at <paramref name="path"/> is replaced, its target untouched.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        var temp = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        var fd = Libc.Open(temp, Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloExec, 0x1B4 /* 0664 */);
        if (fd < 0)
        {
            throw new IOException($"{temp} cannot be created: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
        using (var handle = new SafeFileHandle(fd, ownsHandle: true))
        using (var stream = new FileStream(handle, FileAccess.Write))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        _handle.Dispose();
    }
}
