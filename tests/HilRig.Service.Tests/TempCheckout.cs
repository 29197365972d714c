namespace HilRig.Service.Tests;

/// <summary>
/// A throwaway checkout for tests that need files the real one must not hold: scenarios/ with one feature file and
/// a symlink leading out of it, wiring/ with a copy of sim-chain.yaml, a symlink leading out, and any bench a test
/// writes; firmware-images/ links to the real one so factory images resolve.
/// </summary>
internal sealed class TempCheckout : IDisposable
{
    public TempCheckout()
    {
        Root = Directory.CreateTempSubdirectory("hilrig-checkout-").FullName;
        Outside = Directory.CreateTempSubdirectory("hilrig-outside-").FullName;
        var real = ServiceUnderTest.RepoRoot();
        Directory.CreateDirectory(Path.Combine(Root, "scenarios", "Features"));
        Directory.CreateDirectory(Path.Combine(Root, "wiring"));
        File.CreateSymbolicLink(Path.Combine(Root, "firmware-images"), Path.Combine(real, "firmware-images"));
        File.Copy(Path.Combine(real, "wiring", "sim-chain.yaml"), Path.Combine(Root, "wiring", "sim-chain.yaml"));
        File.WriteAllLines(Path.Combine(Root, "scenarios", "Features", "short.feature"),
            ["Feature: Short", "", "  Scenario: One", "    Given nothing", "", "  Scenario: Two", "    Given nothing"]);
        File.WriteAllText(Path.Combine(Outside, "secret.feature"), "Feature: outside\n");
        File.Copy(Path.Combine(real, "wiring", "sim-chain.yaml"), Path.Combine(Outside, "outside.yaml"));
        File.CreateSymbolicLink(Path.Combine(Root, "scenarios", "escape"), Outside);
        File.CreateSymbolicLink(Path.Combine(Root, "wiring", "escape.yaml"), Path.Combine(Outside, "outside.yaml"));
    }

    public string Root { get; }

    /// <summary>A folder outside the checkout that the symlinks point at.</summary>
    public string Outside { get; }

    public string DefaultWiring => Path.Combine(Root, "wiring", "sim-chain.yaml");

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }
}
