namespace HilRig.Cli.Commands;

/// <summary>Paths relative to the checkout the CLI runs from.</summary>
internal static class RepoPaths
{
    /// <summary>The checkout's root: the nearest parent of the working directory holding HilRig.sln, else the working directory.</summary>
    public static string Root => Platform.Files.RepositoryRoot.TryFind(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();

    /// <summary>The embedded default bench.</summary>
    public static string DefaultWiring => Path.Combine(Root, "wiring", "sim-chain.yaml");
}
