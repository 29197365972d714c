using System.Diagnostics;
using HilRig.Core.Nodes;
using HilRig.Platform.Processes;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>
/// `hilrig run` killed with SIGKILL in the middle of a scenario leaves nothing running: every chip process and every
/// mosquitto broker it started dies with it (parent-death signal), and the next hilrig process removes its pid files.
/// </summary>
public sealed class RunCrashTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hilrig-crash-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("wiring/sim-chain.yaml", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12", "hilrig-node.dll chip", 3)]
    [InlineData("wiring/sim-chain-mosquitto.yaml", "scenarios/HilRig.Scenarios/Features/cloud-campaign.feature:15", "mosquitto", 1)]
    public async Task Nothing_a_killed_run_started_is_running_five_seconds_later(string wiring, string scenario, string child, int count)
    {
        Assert.SkipWhen(child == "mosquitto" && !File.Exists("/usr/sbin/mosquitto") && !File.Exists("/usr/bin/mosquitto"),
            "mosquitto is not installed here (./setup.sh mosquitto)");
        var runtime = Directory.CreateDirectory(Path.Combine(_scratch, "runtime")).FullName;
        var (file, prefix) = HilrigExecutable.Resolve();
        var info = new ProcessStartInfo(file) { WorkingDirectory = HilrigProcess.RepoRoot(), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["run", scenario, "--wiring", wiring, "--out", Path.Combine(_scratch, "reports"), "--no-wait"])) info.ArgumentList.Add(a);
        info.Environment["HILRIG_RUNTIME_DIR"] = runtime;
        info.Environment["HILRIG_LOCK_DIR"] = Path.Combine(_scratch, "locks");
        using var run = Process.Start(info)!;
        run.OutputDataReceived += (_, _) => { };
        run.ErrorDataReceived += (_, _) => { };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        var owner = Path.Combine(runtime, "children", ProcessIdentity.Of(run.Id)!.Value.ToString());
        try
        {
            // The run has started what it starts once its pid files name them.
            var children = await WaitForChildrenAsync(runtime, owner, child, count);

            run.Kill();
            await run.WaitForExitAsync(TestContext.Current.CancellationToken);

            foreach (var (identity, command) in children)
            {
                Assert.True(await identity.WaitForExitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken),
                    $"pid {identity.Pid} ({command}) still runs 5 s after its hilrig run was killed");
            }
            // The next hilrig process sweeps the dead run's pid files (and would kill anything left).
            var next = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(),
                new Dictionary<string, string> { ["HILRIG_RUNTIME_DIR"] = runtime }, "wiring", "list");
            Assert.Equal(0, next.ExitCode);
            Assert.False(Directory.Exists(owner), $"the pid files of the killed run are still in {owner}");
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    private static async Task<IReadOnlyList<(ProcessIdentity Child, string Command)>> WaitForChildrenAsync(string runtime, string owner, string child, int count)
    {
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(runtime) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, _) => changed.Release();
        watcher.Changed += (_, _) => changed.Release();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            var found = ChildRegistry.Recorded(owner);
            if (found.Count(c => c.Command.Contains(child, StringComparison.Ordinal)) >= count) return found;
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"the run did not start {count} '{child}' processes within 90 s; it started: {string.Join("; ", found.Select(f => f.Command))}");
            }
        }
    }
}
