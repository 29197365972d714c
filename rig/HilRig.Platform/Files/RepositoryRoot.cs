namespace HilRig.Platform.Files;

/// <summary>Where the HilRig checkout is: the nearest folder holding HilRig.sln. The one finder the CLI, the scenarios and the tests share.</summary>
public static class RepositoryRoot
{
    /// <summary>The solution file that marks the checkout's root.</summary>
    public const string MarkerFile = "HilRig.sln";

    /// <summary>The nearest folder at or above <paramref name="start"/> holding HilRig.sln, or null when there is none.</summary>
    public static string? TryFind(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> holding HilRig.sln; throws naming <paramref name="start"/> when there is none.</summary>
    public static string Find(string start) =>
        TryFind(start) ?? throw new DirectoryNotFoundException($"no {MarkerFile} above {start}; run from a HilRig checkout");
}
