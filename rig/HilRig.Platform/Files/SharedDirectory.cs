using System.Globalization;
using HilRig.Platform.Native;

namespace HilRig.Platform.Files;

/// <summary>
/// Directories the rig keeps state in, checked before use: a planted symlink or a directory anyone may
/// replace files in is refused with a message that names it, never used.
/// </summary>
public static class SharedDirectory
{
    /// <summary>
    /// This user's private directory for the rig's bookkeeping (pid files): $HILRIG_RUNTIME_DIR, else
    /// $XDG_RUNTIME_DIR/hilrig, else /tmp/hilrig-UID; created with mode 0700 and checked to be a real
    /// directory owned by this user.
    /// </summary>
    public static string UserRuntime()
    {
        if (Environment.GetEnvironmentVariable("HILRIG_RUNTIME_DIR") is { Length: > 0 } given) return EnsurePrivate(given);
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Directory.Exists(xdg)) return EnsurePrivate(Path.Combine(xdg, "hilrig"));
        return EnsurePrivate("/tmp/hilrig-" + Libc.GetUid().ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Creates <paramref name="path"/> (0700) if missing; throws <see cref="IOException"/> unless it is a real directory of this user that no one else may write.</summary>
    public static string EnsurePrivate(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the rig's runtime directory is a Linux one");
        path = Path.GetFullPath(path);
        if (Libc.Lstat(path) is null)
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var (uid, _, mode) = Libc.Lstat(path) ?? throw new IOException($"{path}: could not be created");
        if ((mode & Libc.SIfMt) != Libc.SIfDir)
        {
            throw new IOException($"{path} is {Describe(mode)}, not a directory: refusing to keep the rig's files there (remove it)");
        }
        if (uid != Libc.GetUid())
        {
            throw new IOException($"{path} belongs to uid {uid}, not to this user (uid {Libc.GetUid()}): refusing to keep the rig's files there (remove it, or set HILRIG_RUNTIME_DIR)");
        }
        if ((mode & 0x12) != 0)
        {
            throw new IOException($"{path} is writable by other users (mode {Convert.ToString(mode & 0xFFF, 8)}): refusing to keep the rig's files there (chmod 700 it)");
        }
        return path;
    }

    /// <summary>
    /// Checks a directory shared by a group of users (the bench lock directory): a real directory, not a
    /// symlink, and not writable by every user unless sticky (so no one can replace another's files).
    /// </summary>
    public static string CheckShared(string path)
    {
        path = Path.GetFullPath(path);
        var (_, _, mode) = Libc.Lstat(path) ?? throw new IOException($"{path} does not exist");
        if ((mode & Libc.SIfMt) != Libc.SIfDir)
        {
            throw new IOException($"{path} is {Describe(mode)}, not a directory: refusing to keep locks there");
        }
        if ((mode & 0x2) != 0 && (mode & 0x200) == 0)
        {
            throw new IOException($"{path} is writable by every user and not sticky (mode {Convert.ToString(mode & 0xFFF, 8)}): anyone could replace a lock; "
                + "make it group-owned by the bench users with mode 2770 (./setup.sh bench-group)");
        }
        return path;
    }

    /// <summary>"a symbolic link", "a regular file", ... for messages.</summary>
    public static string Describe(uint mode) => (mode & Libc.SIfMt) switch
    {
        Libc.SIfLnk => "a symbolic link",
        Libc.SIfDir => "a directory",
        Libc.SIfReg => "a regular file",
        _ => "a special file",
    };
}
