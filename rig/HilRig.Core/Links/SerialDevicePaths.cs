namespace HilRig.Core.Links;

/// <summary>
/// Resolves the UART paths of a hardware bench. Wiring files name USB serial adapters by their stable
/// /dev/serial/by-id links (a board keeps its name however the kernel numbers ttyUSB devices); the
/// link is followed when the port is opened, so a re-enumerated adapter is found again, and a missing
/// one is reported with the names that do exist.
/// </summary>
public static class SerialDevicePaths
{
    /// <summary>Where udev keeps the by-id links.</summary>
    public const string ByIdDirectory = "/dev/serial/by-id";

    /// <summary>
    /// The device behind <paramref name="path"/>: the by-id link's target (e.g. /dev/ttyUSB3), or the path
    /// itself when it is not a by-id name. A /dev/serial/by-id name is looked up in
    /// <paramref name="byIdDirectory"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist; the message lists the adapters present.</exception>
    public static string Resolve(string path, string byIdDirectory = ByIdDirectory)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetFullPath(byIdDirectory).TrimEnd('/');
        // A wiring file names /dev/serial/by-id; a bench (or a test) may keep its links elsewhere.
        if (!full.StartsWith(directory + "/", StringComparison.Ordinal) && full.StartsWith(ByIdDirectory + "/", StringComparison.Ordinal))
        {
            full = Path.Combine(directory, full[(ByIdDirectory.Length + 1)..]);
        }
        if (!full.StartsWith(directory + "/", StringComparison.Ordinal))
        {
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"serial device {path} does not exist", path);
            }
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        var link = new FileInfo(full);
        if (!link.Exists && link.LinkTarget is null)
        {
            var present = Directory.Exists(directory)
                ? Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
                : [];
            var listing = present.Count == 0
                ? $"{directory} is {(Directory.Exists(directory) ? "empty" : "missing")}: no USB serial adapter is plugged in"
                : $"present in {directory}: {string.Join(", ", present)}";
            throw new FileNotFoundException($"serial adapter {Path.GetFileName(full)} is not plugged in ({listing})", path);
        }
        var target = link.ResolveLinkTarget(returnFinalTarget: true);
        if (target is null)
        {
            return full;
        }
        if (!target.Exists)
        {
            throw new FileNotFoundException($"serial adapter {Path.GetFileName(full)} points at {target.FullName}, which does not exist", path);
        }
        return target.FullName;
    }
}
