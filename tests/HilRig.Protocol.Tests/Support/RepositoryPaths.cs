namespace HilRig.Protocol.Tests.Support;

/// <summary>Finds files of the repository from the test binary's folder.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding HilRig.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HilRig.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no folder with HilRig.sln above {AppContext.BaseDirectory}");
    }
}
