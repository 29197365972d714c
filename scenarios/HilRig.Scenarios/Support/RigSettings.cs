namespace HilRig.Scenarios.Support;

/// <summary>
/// Run-wide settings the host (the CLI or the xunit adapter) registers for every scenario: which bench
/// a feature runs on unless it names one, and where artifacts go.
/// </summary>
public sealed record RigSettings(string RepositoryRoot, string WiringPath, string ArtifactsRoot)
{
    /// <summary>Firmware defects to start emulated chips with, by chip name (to prove the catalogue catches them).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ChipDefects { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The run's seed: torn flash bits, garbage bytes and every other random choice derive from it, so a run repeats exactly.</summary>
    public int Seed { get; init; }

    /// <summary>Benches that features name ("sim-tree"), mapped to the wiring file they run on instead (full paths).</summary>
    public IReadOnlyDictionary<string, string> BenchOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Step libraries of the run's own (<c>hilrig run --steps</c>), as full paths: repeated by <see cref="ReproduceCommand"/>.</summary>
    public IReadOnlyList<string> StepAssemblies { get; init; } = [];

    /// <summary>
    /// Where benches keep what they keep between runs (their CA: benches/NAME/ca); null: the rig's default
    /// (<see cref="Servers.Tls.BenchCertificateAuthority.DefaultDirectory"/>). Tests point it at a directory of their own.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The command that repeats one scenario exactly: same bench, same seed, same defects, same step libraries. Every word is quoted for
    /// a POSIX shell (<see cref="global::HilRig.Platform.Shell.ShellQuote"/>), so a feature path, a defect or a bench name holding
    /// <c>$(...)</c>, quotes or spaces pastes back as the same words and runs nothing else.
    /// </summary>
    public string ReproduceCommand(string pickleId)
    {
        List<string> words = ["dotnet", "run", "--project", "rig/HilRig.Cli", "--", "run", pickleId,
            "--wiring", Path.GetRelativePath(RepositoryRoot, WiringPath), "--seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var (node, defects) in ChipDefects)
        {
            foreach (var defect in defects)
            {
                words.AddRange(["--defect", $"{node}:{defect}"]);
            }
        }
        foreach (var (bench, wiring) in BenchOverrides)
        {
            words.AddRange(["--bench", $"{bench}={Path.GetRelativePath(RepositoryRoot, wiring)}"]);
        }
        foreach (var steps in StepAssemblies)
        {
            words.AddRange(["--steps", Path.GetRelativePath(RepositoryRoot, steps)]);
        }
        return global::HilRig.Platform.Shell.ShellQuote.Join(words);
    }

    /// <summary>Where the sample firmware images live.</summary>
    public string FirmwareDirectory => Path.Combine(RepositoryRoot, "firmware-images", "images");

    /// <summary>The wiring file for a bench named in a feature ("sim-tree") or given as a path.</summary>
    public string ResolveWiring(string nameOrPath) =>
        BenchOverrides.TryGetValue(nameOrPath, out var overridden) ? overridden :
        nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) ? Path.GetFullPath(nameOrPath, RepositoryRoot)
            : Path.Combine(RepositoryRoot, "wiring", nameOrPath + ".yaml");

    /// <summary>
    /// The catalogue: the feature files whose steps are this assembly's, relative to the checkout. Other folders under
    /// scenarios/ (a QA team's library, scenarios/SampleQaSteps) bring their own steps and run with <c>--steps</c>.
    /// </summary>
    public static readonly string Catalogue = Path.Combine("scenarios", "HilRig.Scenarios");

    /// <summary>Settings for a checkout: the default bench is wiring/sim-chain.yaml.</summary>
    public static RigSettings ForRepository(string root, string? wiring = null, string? artifacts = null) =>
        new(root, Path.GetFullPath(wiring ?? Path.Combine("wiring", "sim-chain.yaml"), root),
            Path.GetFullPath(artifacts ?? Path.Combine("artifacts", "scenarios"), root));

    /// <summary>The nearest directory above <paramref name="start"/> that holds HilRig.sln.</summary>
    public static string FindRepositoryRoot(string start) => Platform.Files.RepositoryRoot.Find(start);
}
