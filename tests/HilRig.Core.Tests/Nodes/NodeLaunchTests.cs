using HilRig.Core.Nodes;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Nodes;

/// <summary>What a team's own chip program gets on its command line (docs/wiring.md, "a team's own chip program").</summary>
public sealed class NodeLaunchTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hilrig-nodelaunch-");

    [Fact]
    public async Task A_command_chip_gets_every_placeholder_filled_in_and_the_bench_arguments_after_its_own()
    {
        var output = Path.Combine(_dir.FullName, "args.txt");
        var bench = WiringLoader.Load(Path.Combine(TestRepository.Root, "wiring", "sim-chain.yaml"));
        var chip = bench.Chip("chip2") with
        {
            Command = $"sh -c 'echo \"$*\" > {output}; echo boot' chip {{upstream}} {{downstream0}} {{model_id}} {{baud}} {{downstream_baud0}} {{sector_size}} {{slot_size}}",
        };
        var launch = new NodeLaunch(chip, "/dev/up", ["/dev/down0"], Path.Combine(_dir.FullName, "chip2.bin"), 115200, null, [], [921600]);
        launch.NextStartArguments.AddRange(["--cut-at-flash-op", "3"]);
        using var timeline = new BenchTimeline(null);

        await using var process = launch.Start(Path.Combine(_dir.FullName, "chip2.log"), timeline);
        await process.Exited.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("/dev/up /dev/down0 0x12 115200 921600 4096 65536 --cut-at-flash-op 3", File.ReadAllText(output).Trim());
        Assert.True(File.Exists(Path.Combine(_dir.FullName, "chip2.bin")), "the rig creates the flash file before the first start");
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
