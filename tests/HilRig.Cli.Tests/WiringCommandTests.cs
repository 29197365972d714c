using Xunit;

namespace HilRig.Cli.Tests;

public sealed class WiringCommandTests
{
    [Fact]
    public async Task Check_Prints_The_Bench_When_The_File_Is_Valid()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "wiring", "check", "wiring/sim-tree.yaml");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bench 'sim-tree'", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("upgrade order: chip3, chip2, chip1", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Proves_The_Sim_Bench_Link_By_Link()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "wiring", "check", "wiring/sim-chain.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"link chip2 -> chip3\s+ok\s+chip3 answered STATUS", result.StandardOutput);
        Assert.Matches(@"power chip2 \(virtual\)\s+ok\s+off: silent; on: answered again", result.StandardOutput);
        Assert.Matches(@"sensor chip2\s+ok\s+off: 0 mA; on and answering: 20 mA", result.StandardOutput);
        Assert.Contains("bench 'sim-chain' proven: 9 checks passed", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Names_The_Link_Left_Open_On_A_Broken_Sim_Bench()
    {
        // sim-chain with the cable between the rig and chip2 left unplugged; factory images by absolute path.
        var root = HilrigProcess.RepoRoot();
        var text = File.ReadAllText(Path.Combine(root, "wiring", "sim-chain.yaml"))
            .Replace("../firmware-images/", Path.Combine(root, "firmware-images") + "/", StringComparison.Ordinal)
            .Replace("{ from: chip1, to: chip2, baud: 115200, rig: relay }", "{ from: chip1, to: chip2, baud: 115200, rig: relay, unplugged: true }", StringComparison.Ordinal);
        var dir = Directory.CreateTempSubdirectory("hilrig-broken-bench");
        var path = Path.Combine(dir.FullName, "broken.yaml");
        File.WriteAllText(path, text);

        var result = await HilrigProcess.RunAsync(dir.FullName, "wiring", "check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"link chip1 -> chip2\s+FAIL\s+no answer from chip2", result.StandardOutput);
        Assert.Matches(@"link module -> chip1\s+ok", result.StandardOutput);
        Assert.Contains("NOT proven", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Names_File_Line_And_Rule_Without_A_Stack_Trace_When_The_File_Is_Wrong()
    {
        var dir = Directory.CreateTempSubdirectory("hilrig-cli-");
        var path = Path.Combine(dir.FullName, "broken.yaml");
        await File.WriteAllTextAsync(path, """
            bench: broken
            kind: virtual
            module:
              power: { kind: virtual }
            chips:
              - name: chip1
                model_id: 0x11
                power: { kind: virtual }
            links:
              - { from: module, to: chip9, baud: 115200, rig: relay }
            """, TestContext.Current.CancellationToken);
        var result = await HilrigProcess.RunAsync(dir.FullName, "wiring", "check", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("broken.yaml:10:", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("chip9", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Says_The_File_Is_Missing_In_One_Line()
    {
        var result = await HilrigProcess.RunAsync(HilrigProcess.RepoRoot(), "wiring", "check", "wiring/no-such-bench.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-bench.yaml", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.Trim().Split('\n'));
    }

    [Fact]
    public async Task Check_Leaves_Nothing_In_The_Temp_Folder_Whether_The_Bench_Is_Proven_Or_Not()
    {
        var root = HilrigProcess.RepoRoot();
        var broken = Directory.CreateTempSubdirectory("hilrig-broken-bench");
        var brokenPath = Path.Combine(broken.FullName, "broken.yaml");
        File.WriteAllText(brokenPath, File.ReadAllText(Path.Combine(root, "wiring", "sim-chain.yaml"))
            .Replace("../firmware-images/", Path.Combine(root, "firmware-images") + "/", StringComparison.Ordinal)
            .Replace("{ from: chip2, to: chip3, baud: 115200, rig: relay }", "{ from: chip2, to: chip3, baud: 115200, rig: relay, unplugged: true }", StringComparison.Ordinal));
        var temp = Directory.CreateTempSubdirectory("hilrig-tmpdir-");
        try
        {
            var environment = new Dictionary<string, string> { ["TMPDIR"] = temp.FullName };

            var proven = await HilrigProcess.RunWithEnvironmentAsync(root, environment, "wiring", "check", "wiring/sim-chain.yaml");
            var afterProven = Directory.GetFileSystemEntries(temp.FullName);
            var failed = await HilrigProcess.RunWithEnvironmentAsync(root, environment, "wiring", "check", brokenPath);
            var afterFailed = Directory.GetFileSystemEntries(temp.FullName);

            Assert.Equal((0, 1), (proven.ExitCode, failed.ExitCode));
            Assert.Empty(afterProven);
            Assert.Empty(afterFailed);
            Assert.Contains("hilrig wiring check --keep keeps the node logs", failed.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            temp.Delete(recursive: true);
            broken.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Check_Keep_Keeps_The_Node_Logs_And_Names_Their_Folder()
    {
        var temp = Directory.CreateTempSubdirectory("hilrig-tmpdir-");
        try
        {
            var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["TMPDIR"] = temp.FullName },
                "wiring", "check", "wiring/sim-chain.yaml", "--keep");

            Assert.Equal(0, result.ExitCode);
            var kept = Assert.Single(Directory.GetDirectories(temp.FullName));
            Assert.Contains($"node logs in {kept}", result.StandardOutput, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(kept, "logs", "chip1.log")));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
