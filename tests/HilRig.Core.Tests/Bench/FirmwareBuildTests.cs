using HilRig.Core.Nodes;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Bench;

public sealed class FirmwareBuildTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-build-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_Build_Runs_Once_In_The_Wiring_Directory_However_Often_The_Chip_Is_Switched_On()
    {
        using var timeline = new BenchTimeline(null);
        var build = new FirmwareBuild(new ChipBuild("echo built >> runs.txt", _directory.FullName), "chip1", timeline, TimeSpan.FromMinutes(1));
        var token = TestContext.Current.CancellationToken;

        await build.EnsureBuiltAsync(token);
        await build.EnsureBuiltAsync(token);

        Assert.Equal(["built"], await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "runs.txt"), token));
    }

    [Fact]
    public async Task A_Failed_Build_Names_The_Chip_The_Command_And_What_It_Printed()
    {
        using var timeline = new BenchTimeline(null);
        var build = new FirmwareBuild(new ChipBuild("echo 'main.c:3: error: expected ;' >&2; exit 2", _directory.FullName), "chip2", timeline, TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => build.EnsureBuiltAsync(TestContext.Current.CancellationToken));

        Assert.Contains("chip chip2", error.Message, StringComparison.Ordinal);
        Assert.Contains("exit code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("main.c:3: error: expected ;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Build_That_Outlives_Its_Deadline_Is_Stopped_With_A_Clear_Error()
    {
        using var timeline = new BenchTimeline(null);
        var build = new FirmwareBuild(new ChipBuild("echo compiling; exec sleep 30", _directory.FullName), "chip3", timeline, TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => build.EnsureBuiltAsync(TestContext.Current.CancellationToken));

        Assert.Contains("chip chip3", error.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish", error.Message, StringComparison.Ordinal);
    }
}
