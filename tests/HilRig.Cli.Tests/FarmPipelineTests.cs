using System.Diagnostics;
using System.Text.RegularExpressions;
using HilRig.Core.Nodes;
using HilRig.Gherkin.Reporting;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace HilRig.Cli.Tests;

/// <summary>
/// The example farm pipelines of docs/farm/ (GitHub Actions and GitLab CI): every script line but the build (the
/// lines that call the rig through <c>$HILRIG</c>, and those that keep the durations) runs here as the pipeline would run it, one shard per matrix entry and then the merge, with three
/// changes a CI runner of this machine needs: the matrix's Pi wiring becomes the virtual bench (wiring/sim-chain.yaml),
/// <c>$HILRIG</c> is the CLI this test suite built, and <c>$HILRIG_FEATURES</c> is a small feature instead of the
/// whole catalogue. A team that copies a pipeline runs exactly these command lines.
/// </summary>
public sealed partial class FarmPipelineTests
{
    private const string Feature = """
        Feature: Farm
          Scenario: The bench comes up
            Given the bench is powered on
            Then chip1 is in Initial mode

          Scenario: The far chip comes up
            Given the bench is powered on
            Then chip3 is in Initial mode

          Scenario: The middle chip comes up
            Given the bench is powered on
            Then chip2 is in Initial mode
        """;

    [Fact]
    public async Task The_GitHub_Actions_workflows_hilrig_commands_run_every_scenario_once_and_merge_one_report()
    {
        var workflow = Load("github-actions.yml");
        var jobs = (YamlMappingNode)workflow["jobs"];
        var shard = (YamlMappingNode)jobs["shard"];
        var matrix = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)shard["strategy"])["matrix"])["include"]).Cast<YamlMappingNode>().ToList();
        var shardRuns = Runs(shard);
        var mergeRuns = Runs((YamlMappingNode)jobs["merge"]);
        // The upload and download steps carry reports/shard-<job index> as artifact hilrig-shard-<job index> into the
        // merge job's reports/: this test moves the files as they would.
        var upload = Steps(shard).Single(s => Text(s, "uses").StartsWith("actions/upload-artifact", StringComparison.Ordinal));
        Assert.Equal(("hilrig-shard-${{ strategy.job-index }}", "reports/shard-${{ strategy.job-index }}"), (Text((YamlMappingNode)upload["with"], "name"), Text((YamlMappingNode)upload["with"], "path")));

        await using var farm = await Farm.CreateAsync();
        for (var index = 0; index < matrix.Count; index++)
        {
            var entry = matrix[index];
            foreach (var run in shardRuns)
            {
                var script = Expressions().Replace(run, m => m.Groups["name"].Value switch
                {
                    "matrix.shard" => Text(entry, "shard"),
                    "matrix.wiring" => Farm.VirtualBench,
                    "matrix.bench" => Text(entry, "bench"),
                    "strategy.job-index" => index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    var other => throw new InvalidOperationException($"the workflow's shard step uses ${{{{ {other} }}}}, which this test does not know"),
                });
                await farm.RunAsync(script, new Dictionary<string, string>());
            }
            Directory.Move(Path.Combine(farm.Directory, "reports", $"shard-{index}"), Path.Combine(farm.Directory, "reports", $"hilrig-shard-{index}"));
        }
        foreach (var run in mergeRuns)
        {
            await farm.RunAsync(run, new Dictionary<string, string>());
        }

        farm.AssertOneMergedReportOfEveryScenario(matrix.Count);
    }

    [Fact]
    public async Task The_GitLab_pipelines_hilrig_commands_run_every_scenario_once_and_merge_one_report()
    {
        var pipeline = Load("gitlab-ci.yml");
        var shard = (YamlMappingNode)pipeline["shard"];
        var matrix = ((YamlSequenceNode)((YamlMappingNode)shard["parallel"])["matrix"]).Cast<YamlMappingNode>().ToList();
        var shardScript = Script(shard);
        var mergeScript = Script((YamlMappingNode)pipeline["merge"]);

        await using var farm = await Farm.CreateAsync();
        for (var index = 0; index < matrix.Count; index++)
        {
            var variables = matrix[index].Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
            variables["WIRING"] = Farm.VirtualBench;
            variables["CI_NODE_INDEX"] = (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            variables["CI_NODE_TOTAL"] = matrix.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await farm.RunAsync(shardScript, variables);
        }
        await farm.RunAsync(mergeScript, new Dictionary<string, string>());

        farm.AssertOneMergedReportOfEveryScenario(matrix.Count);
    }

    private static YamlMappingNode Load(string name)
    {
        var path = Path.Combine(HilrigProcess.RepoRoot(), "docs", "farm", name);
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job["steps"]).Cast<YamlMappingNode>();

    /// <summary>A job's run: blocks, without the build (the suite built the CLI); at least one calls the rig.</summary>
    private static List<string> Runs(YamlMappingNode job)
    {
        var runs = Steps(job).Select(s => Text(s, "run")).Where(r => r.Length > 0 && !r.StartsWith("dotnet build ", StringComparison.Ordinal)).ToList();
        Assert.Contains(runs, r => r.Contains("$HILRIG ", StringComparison.Ordinal));
        return runs;
    }

    /// <summary>A job's script lines, one shell as GitLab runs them, without the build line (the suite built the CLI).</summary>
    private static string Script(YamlMappingNode job)
    {
        var lines = ((YamlSequenceNode)job["script"]).Select(l => ((YamlScalarNode)l).Value!).ToList();
        Assert.Contains(lines, l => l.Contains("$HILRIG ", StringComparison.Ordinal));
        return string.Join('\n', lines.Where(l => !l.StartsWith("dotnet build ", StringComparison.Ordinal)));
    }

    private static string Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value ?? "" : "";

    [GeneratedRegex(@"\$\{\{\s*(?<name>[\w.-]+)\s*\}\}")]
    private static partial Regex Expressions();

    /// <summary>A runner's working directory: a small feature, the reports written inside.</summary>
    private sealed class Farm : IAsyncDisposable
    {
        public static string VirtualBench => Path.Combine(HilrigProcess.RepoRoot(), "wiring", "sim-chain.yaml");

        private Farm(string directory, string feature)
        {
            Directory = directory;
            FeaturePath = feature;
        }

        public string Directory { get; }

        private string FeaturePath { get; }

        public static async Task<Farm> CreateAsync()
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("hilrig-farm-").FullName;
            var feature = Path.Combine(directory, "farm.feature");
            await File.WriteAllTextAsync(feature, Feature, TestContext.Current.CancellationToken);
            return new Farm(directory, feature);
        }

        public async Task RunAsync(string script, IReadOnlyDictionary<string, string> variables)
        {
            var (file, prefix) = HilrigExecutable.Resolve();
            var info = new ProcessStartInfo("bash", ["-e", "-c", script])
            {
                WorkingDirectory = Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["HILRIG"] = string.Join(' ', prefix.Prepend(file).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
            info.Environment["HILRIG_FEATURES"] = FeaturePath;
            foreach (var (name, value) in variables) info.Environment[name] = value;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"the script\n{script}\nexited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        public void AssertOneMergedReportOfEveryScenario(int shards)
        {
            var merged = Path.Combine(Directory, "reports", "merged");
            var results = CucumberResults.ReadAll(Path.Combine(merged, "cucumber-messages.ndjson"));
            Assert.Equal(["farm.feature:10", "farm.feature:2", "farm.feature:6"], results.Select(r => r.Location[(r.Location.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal));
            Assert.All(results, r => Assert.Equal(ScenarioStatus.Passed, r.Status));
            Assert.True(File.Exists(Path.Combine(merged, "junit.xml")) && File.Exists(Path.Combine(merged, "report.html")));
            // Tomorrow's split reads tonight's durations.
            Assert.Equal(3, ReportDurations.FromNdjson(Path.Combine(Directory, "durations", "cucumber-messages.ndjson")).Count);
            Assert.Equal(shards, System.IO.Directory.GetDirectories(Path.Combine(Directory, "reports")).Length - 1);
        }

        public ValueTask DisposeAsync()
        {
            System.IO.Directory.Delete(Directory, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
