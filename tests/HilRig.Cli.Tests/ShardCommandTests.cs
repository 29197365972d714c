using HilRig.Gherkin.Reporting;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>
/// `hilrig run --shard i/n` and `hilrig report merge`, as a farm uses them: the shards of one selection run every
/// scenario once on the virtual bench, and their merged report equals an unsharded run's.
/// </summary>
public sealed class ShardCommandTests
{
    // Two scenarios drive the virtual bench (they pass), two are undefined (a step no binding matches) and one has a
    // step that fails: three statuses for the merge to keep apart (JUnit counts undefined as failures).
    private const string Feature = """
        Feature: Sharded
          Scenario: The bench comes up
            Given the bench is powered on
            Then chip1 is in Initial mode

          Scenario: The far chip comes up
            Given the bench is powered on
            Then chip3 is in Initial mode

          Scenario: Lightning one
            When the chip 3 is struck by lightning

          Scenario: Lightning two
            When the chip 2 is struck by lightning
            Then nothing is left

          Scenario: A chip that is not wired
            Given the bench is powered on
            Then chip9 is in Initial mode
        """;

    [Fact]
    public async Task Three_shards_run_every_scenario_once_and_their_merged_report_equals_an_unsharded_run()
    {
        var dir = Directory.CreateTempSubdirectory("hilrig-shard-").FullName;
        try
        {
            var feature = Path.Combine(dir, "sharded.feature");
            await File.WriteAllTextAsync(feature, Feature, TestContext.Current.CancellationToken);
            var root = HilrigProcess.RepoRoot();

            var whole = await HilrigProcess.RunAsync(root, "run", feature, "--seed", "7", "--out", Path.Combine(dir, "whole"));
            Assert.Equal(1, whole.ExitCode);
            var shardRuns = new List<string>();
            var printed = new List<string>();
            for (var i = 1; i <= 3; i++)
            {
                var output = Path.Combine(dir, $"shard-{i}");
                // Weighed by the unsharded run's durations, as a farm weighs tonight's split by last night's report.
                var shard = await HilrigProcess.RunAsync(root, "run", feature, "--shard", $"{i}/3", "--durations", Path.Combine(dir, "whole"), "--seed", "7", "--out", output);
                Assert.True(shard.ExitCode is 0 or 1, shard.All);
                printed.Add(shard.StandardOutput);
                shardRuns.Add(output);
            }
            var merged = await HilrigProcess.RunAsync(root, ["report", "merge", .. shardRuns, "--out", Path.Combine(dir, "merged")]);

            Assert.Equal(1, merged.ExitCode);
            Assert.Contains("hilrig report merge: 3 runs, 5 scenarios (2 passed, 2 undefined, 1 failed)", merged.StandardOutput, StringComparison.Ordinal);
            Assert.All(printed, p => Assert.Matches(@"hilrig run: shard [123]/3: \d of the 5 selected scenarios \(split by the durations of 5 scenarios\)", p));
            var perShard = shardRuns.Select(r => CucumberResults.ReadAll(Path.Combine(r, "cucumber-messages.ndjson")).Select(s => s.Location).ToList()).ToList();
            Assert.Equal(5, perShard.Sum(s => s.Count));
            Assert.Equal(5, perShard.SelectMany(s => s).Distinct().Count());
            var expected = CucumberResults.ReadAll(Path.Combine(dir, "whole", "cucumber-messages.ndjson")).Select(s => (s.Location, s.Status)).Order().ToList();
            var actual = CucumberResults.ReadAll(Path.Combine(dir, "merged", "cucumber-messages.ndjson")).Select(s => (s.Location, s.Status)).Order().ToList();
            Assert.Equal(expected, actual);
            var junit = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "merged", "junit.xml")).Root!;
            Assert.Equal(("5", "3"), ((string)junit.Attribute("tests")!, (string)junit.Attribute("failures")!));
            Assert.Single(junit.Elements("testsuite"));
            Assert.True(new FileInfo(Path.Combine(dir, "merged", "report.html")).Length > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--shard", "4/3", "hilrig run: --shard '4/3': the shard index 4 is outside 1..3")]
    [InlineData("--shard", "x", "hilrig run: --shard 'x' is not i/n (for example 2/3: the second of three shards)")]
    [InlineData("--durations", "nowhere", "hilrig run: --durations weighs the --shard split; give --shard i/n with it")]
    public async Task Run_refuses_a_bad_shard_with_one_line(string option, string value, string message)
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message, result.StandardError.Trim());
    }

    [Fact]
    public async Task Merge_refuses_a_directory_with_no_report_naming_it()
    {
        var empty = Directory.CreateTempSubdirectory("hilrig-merge-").FullName;
        try
        {
            var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "report", "merge", empty);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"hilrig report merge: {empty} holds no cucumber-messages.ndjson (give the report directories of the runs, as hilrig run --out wrote them)", result.StandardError.Trim());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
