using HilRig.Core.Bench;
using Xunit;

namespace HilRig.Core.Tests.Bench;

[Collection(LockCollection.Name)]
public sealed class BenchLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-locks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_bench_has_one_holder_at_a_time_and_the_next_comer_is_told_who()
    {
        using (var first = BenchLock.TryAcquire("pi-chain", "hilrig run", _directory))
        {
            Assert.NotNull(first);
            Assert.Null(BenchLock.TryAcquire("pi-chain", "hilrig serve", _directory));
            Assert.Matches($"^pid {Environment.ProcessId} \\(hilrig run\\) since \\d{{4}}-", BenchLock.Holder("pi-chain", _directory));
            // Another bench is free.
            using var other = BenchLock.TryAcquire("pi-tree", "hilrig run", _directory);
            Assert.NotNull(other);
        }

        using var again = BenchLock.TryAcquire("pi-chain", "hilrig serve", _directory);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_waiting_run_gets_the_bench_when_the_holder_lets_go()
    {
        var first = BenchLock.TryAcquire("sim-chain", "hilrig run", _directory)!;
        var told = new List<string>();
        var toldOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = BenchLock.AcquireAsync("sim-chain", "hilrig serve", holder =>
        {
            told.Add(holder);
            toldOnce.TrySetResult();
        }, TestContext.Current.CancellationToken, _directory);
        // The waiter has found the bench taken (it said who holds it) before the holder lets go.
        await toldOnce.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("sim-chain", second.Bench);
        Assert.Single(told);
        Assert.Contains("(hilrig run)", told[0], StringComparison.Ordinal);
    }
}

/// <summary>
/// Lock tests run alone in their assembly: an flock belongs to the open file, and a process another test forks
/// in parallel holds a copy of every open file until it executes its program (the lock file is close-on-exec, so
/// only for that instant). A lock released and taken again at once can meet that copy and find itself taken.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LockCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "bench locks, run alone";
}
