namespace HilRig.Core.Double;

/// <summary>
/// A committed double wiring file (wiring/double-*.yaml) points its serial links and commands at
/// <c>../artifacts/double/&lt;bench&gt;</c>; a copy pointed at another folder lets a test or a benchmark run a double of
/// its own beside the committed one.
/// </summary>
public static class DoubleWiring
{
    /// <summary>Writes a copy of <paramref name="wiringPath"/> into <paramref name="folder"/> whose double lives in <paramref name="folder"/>/double; returns the copy's path.</summary>
    public static string Relocate(string wiringPath, string folder)
    {
        var text = File.ReadAllText(wiringPath);
        var bench = Path.GetFileNameWithoutExtension(wiringPath);
        var wiringDirectory = Path.GetDirectoryName(Path.GetFullPath(wiringPath))!;
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, Path.GetFileName(wiringPath));
        File.WriteAllText(copy, text
            .Replace($"../artifacts/double/{bench}", Path.Combine(folder, "double"), StringComparison.Ordinal)
            .Replace("../firmware-images/", Path.GetFullPath(Path.Combine(wiringDirectory, "..", "firmware-images")) + "/", StringComparison.Ordinal));
        return copy;
    }
}
