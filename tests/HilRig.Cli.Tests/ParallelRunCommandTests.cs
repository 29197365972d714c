using System.Text.Json;
using System.Xml.Linq;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>`hilrig run --parallel N` and a pool of --wiring files.</summary>
public sealed class ParallelRunCommandTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hilrig-parallel-run-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private Task<HilrigProcess.Result> RunAsync(params string[] args) =>
        HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_LOCK_DIR"] = Path.Combine(_scratch, "locks") }, ["run", .. args]);

    [Fact]
    public async Task Two_virtual_benches_share_a_feature_and_the_merged_reports_name_the_bench_of_each_scenario()
    {
        var output = Path.Combine(_scratch, "out");

        // The two quick scenarios of the chain feature: each refused before anything is written.
        var result = await RunAsync("scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:29",
            "--parallel", "2", "--out", output);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("hilrig run: 2 benches (sim-chain: wiring/sim-chain.yaml, sim-chain#2: wiring/sim-chain.yaml)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 scenarios (2 passed)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"PASS  \[sim-chain(#2)?\] ", result.StandardOutput);
        var workers = File.ReadAllLines(Path.Combine(output, "cucumber-messages.ndjson"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("testCaseStarted", out _))
            .Select(e => e.GetProperty("testCaseStarted").GetProperty("workerId").GetString())
            .ToList();
        Assert.Equal(2, workers.Count);
        Assert.All(workers, w => Assert.Contains(w, new[] { "sim-chain", "sim-chain#2" }));
        var junit = XDocument.Load(Path.Combine(output, "junit.xml")).Root!;
        Assert.Equal(2, (int)junit.Attribute("tests")!);
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        foreach (var bench in workers.Distinct())
        {
            Assert.True(File.Exists(Path.Combine(output, "benches", bench!, "cucumber-messages.ndjson")), $"bench {bench} wrote no report of its own");
        }
    }

    [Theory]
    [InlineData("--parallel 0", "--parallel 0 is outside 1..32")]
    [InlineData("--parallel 2 --wiring wiring/sim-chain.yaml --wiring wiring/sim-tree.yaml --wiring wiring/sim-chain-c.yaml", "--parallel 2 with 3 --wiring files: a pool runs one bench per wiring file")]
    [InlineData("--wiring wiring/sim-chain.yaml --wiring wiring/sim-chain.yaml", "--wiring: bench 'sim-chain' is given twice")]
    [InlineData("--parallel 2 --wiring wiring/pi-chain.yaml", "--parallel 2: bench 'pi-chain' is a hardware bench, one set of boards")]
    public async Task A_bench_pool_that_cannot_be_made_runs_nothing_and_says_why(string arguments, string message)
    {
        var result = await RunAsync(["--out", Path.Combine(_scratch, "out"), .. arguments.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"hilrig run: {message}", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "out")), "a refused run wrote reports");
    }
}
