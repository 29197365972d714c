using Xunit;

namespace HilRig.Cli.Tests;

public sealed class RunCommandTests
{
    private static async Task<string> WriteFeatureAsync(string text)
    {
        var dir = Directory.CreateTempSubdirectory("hilrig-run-");
        var path = Path.Combine(dir.FullName, "probe.feature");
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task Run_On_A_Hardware_Bench_Without_Its_Adapters_Fails_With_One_Line_Naming_The_Device_And_The_Wiring_Line()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12", "--wiring", "wiring/pi-chain.yaml");

        Assert.Equal(2, result.ExitCode);
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Matches(@"^hilrig run: .*wiring/pi-chain\.yaml:\d+: link module -> chip1, the rig's UART toward module \(near\): serial adapter usb-FTDI_Quad_RS232-HS_HILRIG-A-if00-port0 is not plugged in", line);
        Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_feature_that_does_not_parse_in_a_named_folder_is_reported_and_the_folders_other_features_still_run()
    {
        var good = await WriteFeatureAsync("""
            Feature: Good
              Scenario: Fails on its own
                When the chip 3 is struck by lightning
            """);
        var folder = Path.GetDirectoryName(good)!;
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.feature"), "Feature: Broken\n  Scenario: s\n    Given x\n      | a | b |\n      | c |\n", TestContext.Current.CancellationToken);
        var output = Path.Combine(folder, "out");

        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", folder, "--out", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.feature:5:7: inconsistent cell count within the table", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Fails on its own", result.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "junit.xml")));
    }

    [Fact]
    public async Task Run_Repeat_Prints_Pass_Counts_Per_Scenario_And_Keeps_Each_Rounds_Reports()
    {
        var feature = await WriteFeatureAsync("""
            Feature: Repeated
              Scenario: Fails every time
                When the chip 3 is struck by lightning
            """);
        var output = Path.Combine(Path.GetDirectoryName(feature)!, "out");
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", feature, "--repeat", "2", "--seed", "40", "--out", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("hilrig run: 2 rounds, seeds 40..41; passes per scenario:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0/2  FAILS   Fails every time", result.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "round-1", "junit.xml")));
        Assert.True(File.Exists(Path.Combine(output, "round-2", "junit.xml")));
    }

    [Fact]
    public async Task Run_With_No_Wait_Refuses_A_Bench_Another_Run_Holds_And_Names_The_Holder()
    {
        var locks = Directory.CreateTempSubdirectory("hilrig-cli-locks-").FullName;
        try
        {
            using var held = HilRig.Core.Bench.BenchLock.TryAcquire("sim-chain", "a test holding the bench", locks);
            Assert.NotNull(held);

            var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_LOCK_DIR"] = locks },
                "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23", "--no-wait");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"hilrig run: bench 'sim-chain' is in use by pid {Environment.ProcessId} (a test holding the bench)", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(locks, recursive: true);
        }
    }

    [Fact]
    public async Task Run_Refuses_A_Repeat_Count_Out_Of_Range()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--repeat", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--repeat 0 is outside 1..1000", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The sample step library as this test project's configuration built it (the project reference orders the build).</summary>
    private static string SampleSteps()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(HilrigProcess.RepoRoot(), "scenarios", "SampleQaSteps", "bin", configuration, "net10.0", "SampleQaSteps.dll");
    }

    [Fact]
    public async Task A_QA_teams_step_library_given_with_steps_passes_its_own_scenario_on_the_virtual_bench()
    {
        var output = Directory.CreateTempSubdirectory("hilrig-run-steps-").FullName;

        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "scenarios/SampleQaSteps/Features", "--steps", SampleSteps(), "--out", output);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("1 scenarios (1 passed)", result.StandardOutput, StringComparison.Ordinal);
        // The library's own output (IReqnrollOutputHelper) is in the report.
        Assert.Contains("QA sample: the rollout of 1.1.0 ended with campaign-complete", await File.ReadAllTextAsync(Path.Combine(output, "cucumber-messages.ndjson"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_scenario_is_undefined_without_its_step_library()
    {
        var output = Directory.CreateTempSubdirectory("hilrig-run-steps-").FullName;

        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "scenarios/SampleQaSteps/Features", "--out", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("UNDEF", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-steps.dll", "--steps no-such-steps.dll: no such file")]
    [InlineData("README.md", "--steps README.md: not a .dll")]
    public async Task Run_Refuses_A_Step_Library_That_Is_Not_A_Built_Dll_With_One_Line(string path, string message)
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--steps", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"hilrig run: {message}", Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Refuses_A_Retry_Count_Out_Of_Range()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--retry", "11");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("hilrig run: --retry 11 is outside 0..10", result.StandardError.Trim());
    }

    [Fact]
    public async Task Run_Fails_With_The_Step_Text_And_A_Suggested_Binding_When_A_Step_Is_Unknown()
    {
        var feature = await WriteFeatureAsync("""
            Feature: A step nobody wrote
              Scenario: The rig says what is missing
                When the chip 3 is struck by lightning
            """);
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", feature, "--out", Path.Combine(Path.GetDirectoryName(feature)!, "out"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("\"When the chip 3 is struck by lightning\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[When(\"the chip {int} is struck by lightning\")]", result.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(feature)!, "out", "junit.xml")));
    }

    [Fact]
    public async Task Run_Names_File_And_Line_When_A_Feature_Does_Not_Parse()
    {
        var feature = await WriteFeatureAsync("""
            Feature: Broken
              Scenario: Half written
                Given the bench is powered on
                this line is not gherkin
            """);
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", feature, "--out", Path.Combine(Path.GetDirectoryName(feature)!, "out"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("probe.feature:4:", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Refuses_A_Bad_Tag_Expression_With_One_Message()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--tags", "@sim and (", "--out", Path.Combine(Path.GetTempPath(), "hilrig-bad-tags"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Tag expression '@sim and (' is invalid", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Refuses_An_Unknown_Defect_Name_Before_Starting_Anything()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--defect", "chip2", "--out", Path.Combine(Path.GetTempPath(), "hilrig-bad-defect"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not node:defect", result.StandardError, StringComparison.Ordinal);
        var unknown = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", "--defect", "chip2:forgets-everything", "--out", Path.Combine(Path.GetTempPath(), "hilrig-bad-defect"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown chip defect 'forgets-everything' (known: pass-through-drops-frames", unknown.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(99999, "the file has 6 lines, so no scenario is there; scenarios start at lines 3, 6 (nearest: ", "probe.feature:6)")]
    [InlineData(2, "the line is not inside a scenario, an Examples block, a Rule or the Feature line; scenarios start at lines 3, 6 (nearest: ", "probe.feature:3)")]
    public async Task Run_Refuses_A_Line_With_No_Scenario_Naming_File_Line_And_The_Scenario_Lines(int line, string reason, string nearest)
    {
        var feature = await WriteFeatureAsync("""
            Feature: Two scenarios
              Background:
              Scenario: first
                Given the bench is powered on

              Scenario: second
            """);
        var outDir = Path.Combine(Path.GetDirectoryName(feature)!, "out");

        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "run", $"{feature}:{line}", "--out", outDir);

        Assert.Equal(2, result.ExitCode);
        var message = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"^hilrig run: \S*probe\.feature:{line}: ", message);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.EndsWith(nearest + ".", message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "nothing runs, so no report directory is made");
    }
}
