using HilRig.Platform.Files;

namespace HilRig.TestSupport;

/// <summary>The checkout the tests run from, found from the test binaries by the rig's own finder.</summary>
public static class TestRepository
{
    /// <summary>The folder holding HilRig.sln.</summary>
    public static string Root { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);

    /// <summary>A path inside the checkout.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
