using System.Diagnostics;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>A bench lock a stranger cannot hijack, seen from the command line.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunLockTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hilrig-locktest-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_symlink_planted_where_the_bench_lock_goes_makes_the_run_refuse_and_its_target_stays_untouched()
    {
        var locks = Directory.CreateDirectory(Path.Combine(_scratch, "locks")).FullName;
        var target = Path.Combine(_scratch, "victim.conf");
        await File.WriteAllTextAsync(target, "root's precious file\n", TestContext.Current.CancellationToken);
        var link = Path.Combine(locks, "sim-chain.lock");
        File.CreateSymbolicLink(link, target);
        if (Environment.UserName == "root")
        {
            // Planted by another user (nobody), as in the attack: root must not follow it either.
            using var chown = Process.Start("chown", ["-h", "65534", link]);
            await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_LOCK_DIR"] = locks },
            "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23", "--no-wait", "--out", Path.Combine(_scratch, "reports"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"hilrig run: the lock of bench 'sim-chain': {link} is a symbolic link", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("refusing to follow it", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("root's precious file\n", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(Path.Combine(_scratch, "reports", "scenarios")), "the run powered a bench without its lock");
    }

    [Fact]
    public async Task A_symlink_planted_where_the_owner_record_goes_is_replaced_not_followed()
    {
        var locks = Directory.CreateDirectory(Path.Combine(_scratch, "locks")).FullName;
        var target = Path.Combine(_scratch, "victim.conf");
        await File.WriteAllTextAsync(target, "root's precious file\n", TestContext.Current.CancellationToken);
        File.CreateSymbolicLink(Path.Combine(locks, "sim-chain.lock.owner"), target);

        var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_LOCK_DIR"] = locks },
            "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23", "--no-wait", "--out", Path.Combine(_scratch, "reports"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("root's precious file\n", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_lock_directory_anyone_may_write_is_refused_with_what_to_do()
    {
        var locks = Directory.CreateDirectory(Path.Combine(_scratch, "open")).FullName;
        File.SetUnixFileMode(locks, (UnixFileMode)0x1FF);

        var result = await HilrigProcess.RunWithEnvironmentAsync(HilrigProcess.RepoRoot(), new Dictionary<string, string> { ["HILRIG_LOCK_DIR"] = locks },
            "run", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23", "--no-wait", "--out", Path.Combine(_scratch, "reports"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{locks} is writable by every user and not sticky (mode 777)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("./setup.sh bench-group", result.StandardError, StringComparison.Ordinal);
    }
}
