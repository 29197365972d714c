using System.Runtime.InteropServices;

namespace HilRig.Service.Runs;

/// <summary>
/// Paths a request names, confined to one folder of the checkout (scenarios/ for features, wiring/ for benches):
/// resolved as the kernel resolves them (realpath: every "..", every symlink on the way), so neither "../" nor an
/// absolute path nor a symlink that points out of the folder gets through.
/// </summary>
public static partial class CheckoutPaths
{
    /// <summary>
    /// The path of <paramref name="relative"/> (relative to <paramref name="root"/>) relative to the checkout, when it
    /// exists and lies inside <paramref name="folder"/> of the checkout; null otherwise.
    /// </summary>
    public static string? Confine(string root, string folder, string relative)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(relative);
        if (Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal)) return null;
        var realFolder = RealPath(Path.Combine(root, folder));
        var real = RealPath(Path.Combine(root, relative));
        if (realFolder is null || real is null) return null;
        if (real == realFolder) return folder;
        return real.StartsWith(realFolder + "/", StringComparison.Ordinal) ? folder + "/" + real[(realFolder.Length + 1)..] : null;
    }

    /// <summary>The canonical absolute path of <paramref name="path"/> (symlinks resolved), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal)) return null;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            var full = Path.GetFullPath(path);
            return File.Exists(full) || Directory.Exists(full) ? full : null;
        }
        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>True when <paramref name="path"/> resolves (symlinks and all) to a file or folder inside <paramref name="directory"/>.</summary>
    public static bool IsInside(string directory, string path) =>
        RealPath(directory) is { } realDirectory && RealPath(path) is { } real && real.StartsWith(realDirectory + "/", StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
