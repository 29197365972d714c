using HilRig.Core.Wiring;

namespace HilRig.Scenarios.Tests.Fuzz;

public sealed class WiringFuzzTests
{
    private const int Cases = 400;

    [Fact]
    public async Task MutatedWiringFiles_EndInAClearErrorOrSuccess_NeverACrashOrAHang()
    {
        var root = RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);
        // The real benches, with their paths made absolute so a mutated copy elsewhere still finds its images.
        var seeds = Directory.GetFiles(Path.Combine(root, "wiring"), "*.yaml").Order(StringComparer.Ordinal)
            .Select(p => (Name: Path.GetFileName(p), Bytes: File.ReadAllBytes(p).AsSpan().ToArray()))
            .Select(s => (s.Name, Bytes: System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(s.Bytes).Replace("../", root + "/", StringComparison.Ordinal))))
            .ToList();
        var directory = Directory.CreateTempSubdirectory("hilrig-wiring-fuzz-");
        var run = new FuzzRun("wiring", FuzzRun.SeedFromEnvironment(16), TimeSpan.FromSeconds(10));
        try
        {
            for (var i = 0; i < Cases; i++)
            {
                var source = seeds[i % seeds.Count];
                var (bytes, mutations) = run.MutatorFor(i).Mutate(source.Bytes);
                var path = Path.Combine(directory.FullName, $"case-{i}.yaml");
                await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
                await run.RunAsync(i, $"{source.Name}: {mutations}", () => Check(path));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
        run.Report();
        Assert.True(run.ClearErrors > 0 && run.Successes > 0, $"{run.Summary}: the mutations should both break files and leave some valid");
    }

    private static FuzzOutcome Check(string path)
    {
        try
        {
            WiringLoader.Load(path);
            return FuzzOutcome.Success;
        }
        catch (WiringException ex)
        {
            // One message per rule broken, each naming this file and a line.
            var unclear = ex.Errors.Where(e => e.SourcePath != path || e.Rule.Length == 0 || e.Line < 1).ToList();
            if (unclear.Count > 0 || ex.Message.Contains("   at ", StringComparison.Ordinal))
            {
                throw new UnclearErrorException($"unclear wiring error: {unclear.FirstOrDefault()?.ToString() ?? ex.Message}");
            }
            return FuzzOutcome.ClearError;
        }
    }
}
