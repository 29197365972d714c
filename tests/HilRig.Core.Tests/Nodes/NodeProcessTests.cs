using HilRig.Core.Nodes;
using HilRig.Core.Timeline;
using Xunit;

namespace HilRig.Core.Tests.Nodes;

/// <summary>How the rig supervises a node process: when it counts as booted, who ended it, and what it leaves behind.</summary>
public sealed class NodeProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hilrig-node-");
    private readonly BenchTimeline _timeline = new(null);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string LogPath => Path.Combine(_dir.FullName, "logs", "chip2.log");

    private NodeProcess Shell(string script) => NodeProcess.Start("chip2", "/bin/sh", ["-c", script], LogPath, _timeline);

    [Fact]
    public async Task ANodeEndingByItself_ReportsItsExitCode_AndIsNotKilledByTheRig()
    {
        await using var node = Shell("echo 'boot model=0x12 mode=INITIAL'; exit 86");

        Assert.Equal(86, await node.Exited.WaitAsync(Timeout, Cancel));
        Assert.False(node.KilledByRig);
        Assert.False(node.IsRunning);
    }

    [Fact]
    public async Task ANodeIsBooted_AtItsFirstLineSayingBoot_NotBefore()
    {
        await using var node = Shell("echo starting; read go; echo 'BOOT record'; exec sleep 30");

        await WaitForLogAsync("starting");
        Assert.False(node.Booted.IsCompleted, "booted on a line without 'boot'");
        await node.KillAsync();
        Assert.True(node.Booted.IsCompleted, "a node that ended must not keep the rig waiting for its boot");
    }

    [Fact]
    public async Task ABootRecord_CompletesBooted_WhileTheNodeRuns()
    {
        await using var node = Shell("echo 'boot model=0x12'; exec sleep 30");

        await node.Booted.WaitAsync(Timeout, Cancel);
        Assert.True(node.IsRunning);
    }

    [Fact]
    public async Task KillingANode_IsAPowerCut_TheRigOwns_AndItsLinesAreInTheLogAndTimeline()
    {
        await using var node = Shell("echo 'boot model=0x12'; echo 'flash op #1 erase 0x0000+4096'; exec sleep 30");
        await node.Booted.WaitAsync(Timeout, Cancel);
        await WaitForLogAsync("flash op #1");

        await node.KillAsync();

        Assert.True(node.KilledByRig);
        Assert.False(node.IsRunning);
        Assert.Contains("flash op #1 erase 0x0000+4096", await File.ReadAllLinesAsync(LogPath, Cancel));
        var events = _timeline.Snapshot().Where(e => e.Source == "chip2").ToList();
        Assert.Contains(events, e => e.Kind == "log" && e.Summary == "boot model=0x12");
        Assert.Contains(events, e => e.Kind == "process" && e.Summary.StartsWith("started pid ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == "process" && e.Summary.StartsWith("exited with code ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AProgramThatCannotStart_EndsTheNodeByItself_AndItsLogNamesTheProgram()
    {
        // Children start through setpriv (to die with the rig) where it is installed: the failure to start then
        // comes back as the node's own early end, not as an exception, and its log says why.
        var missing = Path.Combine(_dir.FullName, "no-such-chip");
        NodeProcess node;
        try
        {
            node = NodeProcess.Start("chip2", missing, [], LogPath, _timeline);
        }
        catch (InvalidOperationException error)
        {
            Assert.StartsWith($"node chip2: cannot start '{missing}'", error.Message, StringComparison.Ordinal);
            return;
        }
        await using (node)
        {
            Assert.NotEqual(0, await node.Exited.WaitAsync(Timeout, Cancel));
            Assert.False(node.KilledByRig);
            await WaitForLogAsync(missing);
        }
    }

    /// <summary>Waits for a line in the timeline (which gets every line as the node prints it).</summary>
    private async Task WaitForLogAsync(string fragment)
    {
        // A line the node printed: not the "started pid N: /bin/sh -c ..." event, whose command line holds the same words.
        bool Matches(TimelineEvent e) => e.Source == "chip2" && e.Kind == "log" && e.Summary.Contains(fragment, StringComparison.Ordinal);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRecorded(TimelineEvent e)
        {
            if (Matches(e)) seen.TrySetResult();
        }
        _timeline.Recorded += OnRecorded;
        try
        {
            if (_timeline.Snapshot().Any(Matches)) return;
            await seen.Task.WaitAsync(Timeout, Cancel);
        }
        finally
        {
            _timeline.Recorded -= OnRecorded;
        }
    }

    public void Dispose()
    {
        _timeline.Dispose();
        _dir.Delete(recursive: true);
    }
}
