using System.Text.RegularExpressions;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Selection;
using HilRig.Scenarios.StepDefinitions;

namespace HilRig.Scenarios.Tests.Fuzz;

public sealed class FeatureFuzzTests
{
    private const int Cases = 400;

    [Fact]
    public async Task MutatedFeatureFiles_EndInAClearErrorOrSuccess_NeverACrashOrAHang()
    {
        var root = RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);
        var seeds = Directory.GetFiles(Path.Combine(root, "scenarios"), "*.feature", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(p => (Name: Path.GetRelativePath(root, p), Bytes: File.ReadAllBytes(p))).ToList();
        // The catalogue's own step bindings, as the runner loads them; the pickles are matched against them, no bench starts.
        await using var bindings = BindingInspector.Open([typeof(BenchSteps).Assembly]);
        var directory = Directory.CreateTempSubdirectory("hilrig-feature-fuzz-");
        var run = new FuzzRun("feature", FuzzRun.SeedFromEnvironment(16), TimeSpan.FromSeconds(10));
        try
        {
            for (var i = 0; i < Cases; i++)
            {
                var source = seeds[i % seeds.Count];
                var (bytes, mutations) = run.MutatorFor(i).Mutate(source.Bytes);
                var file = $"case-{i}.feature";
                await File.WriteAllBytesAsync(Path.Combine(directory.FullName, file), bytes, TestContext.Current.CancellationToken);
                await run.RunAsync(i, $"{source.Name}: {mutations}", () => Check(directory.FullName, file, bindings));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
        run.Report();
        Assert.True(run.ClearErrors > 0 && run.Successes > 0, $"{run.Summary}: the mutations should both break files and leave some valid");
    }

    private static FuzzOutcome Check(string directory, string file, BindingInspector bindings)
    {
        var resolved = PickleSelection.Of([file]).Resolve(directory);
        if (resolved.Errors.Count > 0)
        {
            // Every line of every message starts with file:line (a parse error names the column too).
            var where = new Regex($@"^{Regex.Escape(file)}:\d+(:\d+)?: \S");
            var unclear = resolved.Errors.SelectMany(e => e.Split(Environment.NewLine)).FirstOrDefault(l => !where.IsMatch(l));
            return unclear is null ? FuzzOutcome.ClearError : throw new UnclearErrorException($"unclear feature error: {unclear}");
        }
        foreach (var pickle in resolved.Pickles)
        {
            // Undefined and ambiguous steps are the runner's clear verdicts (it names the step); only a throw is a finding.
            bindings.Plan(pickle);
        }
        return FuzzOutcome.Success;
    }
}
