using HilRig.Core.Bench;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// What the service shows of a running run comes from files the run writes for machines: the waiting note from the
/// bench lock's holder record, the scenarios from the Cucumber messages as they grow; never from the console.
/// </summary>
public sealed class RunProgressTests
{
    [Fact]
    public void A_run_waiting_for_a_bench_another_process_holds_is_told_who_holds_it_and_nothing_once_it_is_free()
    {
        using var scratch = new Scratch();
        var locks = Path.Combine(scratch.Path, "locks");
        var progress = new RunProgress(Path.Combine(scratch.Path, "cucumber-messages.ndjson"), "progress-bench", locks);
        // The run is some other process (pid 1 is never this test); this test process holds the bench.
        using (BenchLock.TryAcquire("progress-bench", "a test", locks) ?? throw new InvalidOperationException("the lock was taken"))
        {
            var note = progress.Waiting(runPid: 1);
            Assert.StartsWith($"bench 'progress-bench' is in use by pid {Environment.ProcessId} (a test) since ", note, StringComparison.Ordinal);
            Assert.EndsWith("; waiting for it", note, StringComparison.Ordinal);
            // The run's own lock is no reason to wait.
            Assert.Null(progress.Waiting(runPid: Environment.ProcessId));
        }
        Assert.Null(progress.Waiting(runPid: 1));
    }

    [Fact]
    public void Scenarios_are_read_from_the_cucumber_messages_as_they_are_appended()
    {
        using var scratch = new Scratch();
        var path = Path.Combine(scratch.Path, "cucumber-messages.ndjson");
        var progress = new RunProgress(path, "progress-bench", Path.Combine(scratch.Path, "locks"));
        Assert.False(progress.ReadResults());
        string[] started =
        [
            """{"pickle":{"id":"p1","uri":"f.feature","name":"One","astNodeIds":["s1"],"steps":[],"tags":[],"language":"en"}}""",
            """{"testCase":{"id":"c1","pickleId":"p1","testSteps":[],"testRunStartedId":"r"}}""",
            """{"testCaseStarted":{"id":"t1","testCaseId":"c1","attempt":0,"timestamp":{"seconds":0,"nanos":0}}}""",
        ];
        File.WriteAllLines(path, started);
        Assert.False(progress.ReadResults());
        File.AppendAllLines(path, ["""{"testCaseFinished":{"testCaseStartedId":"t1","willBeRetried":false,"timestamp":{"seconds":1,"nanos":0}}}"""]);
        Assert.True(progress.ReadResults());
        Assert.Equal("One", Assert.Single(progress.Results).Name);
    }

    /// <summary>A directory of the test's own, removed at the end.</summary>
    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("hilrig-progress-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
