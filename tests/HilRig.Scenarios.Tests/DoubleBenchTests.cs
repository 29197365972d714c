using System.Diagnostics;
using HilRig.Core.Bench;
using HilRig.Cli;
using HilRig.Core.Wiring;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// What the hardware path promises, proved on the chain double: the rig starts no chip itself, the catalogue still
/// catches a defective firmware, a dead chip is told from a sleeping one, and SIGTERM in the middle of a scenario
/// leaves every node off with the reports complete.
/// </summary>
[Collection(DoubleChainCollection.Name)]
public sealed class DoubleBenchTests(DoubleChain bench)
{
    private static HilRig.Gherkin.Features.PickleInfo Pickle(string name) =>
        HilRig.Gherkin.Testing.PickleCatalog.Discover(Path.Combine(ScenarioRunners.Root, RigSettings.Catalogue), baseDirectory: ScenarioRunners.Root).Single(p => p.Name == name);

    [Fact]
    public async Task The_Rig_Starts_No_Chip_Process_On_A_Hardware_Bench()
    {
        var token = TestContext.Current.CancellationToken;
        var wiring = WiringLoader.Load(bench.WiringPath);
        await using (var hardware = BenchFactory.Create(wiring, new BenchOptions(Path.Combine(ScenarioRunners.Root, "artifacts", "test-double-process-tree"))))
        {
            await hardware.PowerOnAllAsync(token);
            var flashFolder = Path.Combine(bench.Directory, "flash");
            var chips = ProcessTree.All().Where(p => p.CommandLine.Contains(flashFolder, StringComparison.Ordinal)).ToList();

            // Every chip is the double's child; none is the rig's (this test host is the rig here).
            Assert.Equal(wiring.Chips.Count, chips.Count);
            Assert.All(chips, chip => Assert.Equal(bench.ProcessId, chip.ParentId));
            Assert.DoesNotContain(ProcessTree.All(), p => p.ParentId == Environment.ProcessId && p.CommandLine.Contains("hilrig-node.dll chip ", StringComparison.Ordinal)
                && p.CommandLine.Contains(flashFolder, StringComparison.Ordinal));
        }
        Assert.All(wiring.Chips, c => Assert.EndsWith($"{c.Name} off", bench.PowerLog().Last(l => l.Contains($" {c.Name} o", StringComparison.Ordinal)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task FarToNearUpgrade_Fails_On_The_Double_When_A_PassThroughChip_Drops_Frames()
    {
        var result = await RunWithDefectAsync("chip2", "pass-through-drops-frames", "Every chip is upgraded far-to-near and ends on the new image, byte for byte");

        DefectExpectations.CaughtDroppedFrames(result);
    }

    [Fact]
    public async Task A_Chip_Dead_After_A_Cut_Is_Reported_Dead_Not_Asleep()
    {
        var result = await RunWithDefectAsync("chip3", "dies-booting-asleep", "A sleeping chip loses power and comes back asleep");

        DefectExpectations.CaughtDeadChip(result);
    }

    /// <summary>Flashes a defective build onto one chip of the double (for its next power-on), runs a scenario, and flashes the good one back.</summary>
    private async Task<HilRig.Gherkin.Execution.PickleResult> RunWithDefectAsync(string chip, string defect, string scenario)
    {
        Assert.Equal(0, (await bench.ControlAsync($"defects {chip} {defect}")).Code);
        try
        {
            return await bench.Runner.RunPickleAsync(Pickle(scenario).Id, TestContext.Current.CancellationToken);
        }
        finally
        {
            await bench.ControlAsync($"defects {chip} none");
        }
    }

    [Fact]
    public async Task Wiring_Off_Drives_Every_Power_Line_Off_After_A_Rig_That_Left_The_Bench_On()
    {
        var token = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await bench.ControlAsync("on chip2")).Code);
        var (file, prefix) = HilrigExecutable.Resolve();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["wiring", "off", bench.WiringPath])) start.ArgumentList.Add(a);
        using var off = Process.Start(start)!;
        var output = await off.StandardOutput.ReadToEndAsync(token);
        await off.WaitForExitAsync(token);

        Assert.True(off.ExitCode == 0, output + await off.StandardError.ReadToEndAsync(token));
        Assert.Matches(@"power chip2 \(command\)\s+ok\s+off", output);
        Assert.Equal(1, (await bench.ControlAsync("status chip2")).Code);
    }

    [Fact]
    public async Task Sigterm_In_The_Middle_Of_A_Scenario_Leaves_Every_Node_Off_And_The_Reports_Complete()
    {
        var token = TestContext.Current.CancellationToken;
        var output = Path.Combine(ScenarioRunners.Root, "artifacts", "test-double-sigterm");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var (file, prefix) = HilrigExecutable.Resolve();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ScenarioRunners.Root };
        foreach (var a in prefix.Concat(["run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12", "--wiring", bench.WiringPath, "--out", output, "--no-wait"]))
        {
            start.ArgumentList.Add(a);
        }
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(token);
        var stderr = run.StandardError.ReadToEndAsync(token);

        // The moment: image bytes are on the wire (a DATA frame in the scenario's timeline).
        await WaitUntilAsync(() => Directory.Exists(Path.Combine(output, "scenarios"))
            && Directory.EnumerateFiles(Path.Combine(output, "scenarios"), "timeline.ndjson", SearchOption.AllDirectories)
                .Any(t => ReadShared(t).Contains("\"summary\":\"Data ", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), "a DATA frame in the run's timeline");
        Assert.Equal(0, BenchDoubleProcess.Kill(run.Id, 15));
        await run.WaitForExitAsync(token).WaitAsync(TimeSpan.FromSeconds(60), token);

        var log = bench.PowerLog();
        foreach (var chip in new[] { "chip1", "chip2", "chip3" })
        {
            Assert.EndsWith($"{chip} off", log.Last(l => l.Contains($" {chip} o", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        var ndjson = await File.ReadAllLinesAsync(Path.Combine(output, "cucumber-messages.ndjson"), token);
        Assert.StartsWith("{\"testRunFinished\"", ndjson[^1], StringComparison.Ordinal);
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(output, "junit.xml"));
        Assert.Single(junit.Descendants("testcase"));
        Assert.DoesNotContain("   at ", await stderr + await stdout, StringComparison.Ordinal);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Polls a condition on files another process writes (there is no event to await) until it holds or the time is up.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"no {what} within {timeout.TotalSeconds:0} s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>The processes of this machine as /proc shows them.</summary>
internal static class ProcessTree
{
    public sealed record Entry(int Id, int ParentId, string CommandLine);

    public static IReadOnlyList<Entry> All()
    {
        var entries = new List<Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                entries.Add(new Entry(pid, ppid, cmdline));
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return entries;
    }
}
