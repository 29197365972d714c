using System.Diagnostics;
using HilRig.Platform.Processes;
using Xunit;

namespace HilRig.Platform.Tests.Processes;

/// <summary>What a rig process that died left running is killed by the next one, and nothing else is.</summary>
public sealed class ChildRegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-children-").FullName;
    private readonly List<Process> _started = [];

    public void Dispose()
    {
        foreach (var p in _started)
        {
            if (!p.HasExited) p.Kill();
            p.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_children_of_an_owner_that_is_gone_are_killed_and_its_pid_files_removed()
    {
        // An owner that is gone: this test's pid with a start time it never had.
        var gone = new ProcessIdentity(Environment.ProcessId, ProcessIdentity.Current.StartTicks + 1);
        var leftover = Sleeper();
        new ChildRegistry(_directory, gone).Add(leftover);
        // A live owner's child is not touched.
        var kept = Sleeper();
        new ChildRegistry(_directory, ProcessIdentity.Current).Add(kept);

        var sweeper = new ChildRegistry(_directory, new ProcessIdentity(1, 0));
        var leftovers = sweeper.Leftovers();
        Assert.Equal([leftover.Id], leftovers.Select(l => l.Child.Pid));
        Assert.Contains("sleep", leftovers[0].Command, StringComparison.Ordinal);

        var lines = sweeper.Sweep();

        Assert.Single(lines);
        Assert.Contains($"killed pid {leftover.Id} (", lines[0], StringComparison.Ordinal);
        await leftover.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(kept.HasExited);
        Assert.False(Directory.Exists(Path.Combine(_directory, gone.ToString())));
        Assert.True(Directory.Exists(Path.Combine(_directory, ProcessIdentity.Current.ToString())));
    }

    [Fact]
    public void A_pid_that_was_reused_by_another_process_is_not_killed()
    {
        var gone = new ProcessIdentity(Environment.ProcessId, ProcessIdentity.Current.StartTicks + 1);
        var stranger = Sleeper();
        var owner = Path.Combine(_directory, gone.ToString());
        Directory.CreateDirectory(owner);
        // The pid file names the stranger's pid with another start time: a process that ended long ago.
        var real = ProcessIdentity.Of(stranger.Id)!.Value;
        File.WriteAllText(Path.Combine(owner, new ProcessIdentity(real.Pid, real.StartTicks + 7).ToString()), "sleep 60");

        Assert.Empty(new ChildRegistry(_directory, ProcessIdentity.Current).Sweep());
        Assert.False(stranger.HasExited);
        Assert.False(Directory.Exists(owner));
    }

    [Fact]
    public async Task A_child_is_forgotten_when_it_exits()
    {
        var registry = new ChildRegistry(_directory, ProcessIdentity.Current);
        var child = Sleeper();
        registry.Add(child);
        var mine = Path.Combine(_directory, ProcessIdentity.Current.ToString());
        Assert.Single(Directory.GetFiles(mine));

        child.Kill();
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        // Exited handlers run after WaitForExitAsync's completion may be observed; wait for the file to go.
        var gone = new TaskCompletionSource();
        using var watcher = new FileSystemWatcher(mine) { EnableRaisingEvents = true };
        watcher.Deleted += (_, _) => gone.TrySetResult();
        if (Directory.GetFiles(mine).Length > 0) await gone.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Empty(Directory.GetFiles(mine));
    }

    [Fact]
    public void The_identity_of_a_process_is_its_pid_and_start_time()
    {
        var me = ProcessIdentity.Current;
        Assert.Equal(Environment.ProcessId, me.Pid);
        Assert.True(me.StartTicks > 0);
        Assert.True(me.IsAlive);
        Assert.False((me with { StartTicks = me.StartTicks + 1 }).IsAlive);
        Assert.True(ProcessIdentity.TryParse(me.ToString(), out var back));
        Assert.Equal(me, back);
        Assert.False(ProcessIdentity.TryParse("12", out _));
        Assert.False(ProcessIdentity.TryParse("x.1", out _));
    }

    [Fact]
    public async Task Waiting_for_any_process_to_end_ends_when_it_does_and_not_before()
    {
        var sleeper = Sleeper();
        var identity = ProcessIdentity.Of(sleeper.Id)!.Value;
        Assert.False(await identity.WaitForExitAsync(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));

        var waiting = identity.WaitForExitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        sleeper.Kill();

        Assert.True(await waiting);
        Assert.False(identity.IsAlive);
    }

    private Process Sleeper()
    {
        var p = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        _started.Add(p);
        return p;
    }
}
