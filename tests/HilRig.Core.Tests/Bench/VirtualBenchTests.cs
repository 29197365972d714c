using Xunit;
using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Tests.Bench;

public sealed class VirtualBenchTests
{
    private static string RepoRoot() => TestRepository.Root;

    private static async Task<VirtualBench> StartAsync(string wiringName)
    {
        var wiring = WiringLoader.Load(Path.Combine(RepoRoot(), "wiring", wiringName));
        var artifacts = Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N"));
        var bench = VirtualBench.Create(wiring, new BenchOptions(artifacts));
        await bench.PowerOnAllAsync(TestContext.Current.CancellationToken);
        return bench;
    }

    [Fact]
    public async Task EveryChip_Answers_Status_Through_Its_Relay_When_Powered_On()
    {
        await using var bench = await StartAsync("sim-tree.yaml");
        var statuses = await bench.Probe.QueryAllAsync(TestContext.Current.CancellationToken);
        Assert.All(bench.Wiring.Chips, chip =>
        {
            var status = statuses[chip.Name];
            Assert.NotNull(status);
            Assert.Equal(ChipMode.Initial, status.Mode);
            Assert.Equal(new FirmwareVersion(1, 0, 0), status.ActiveVersion);
        });
    }

    [Fact]
    public async Task Garbage_On_A_Uart_Is_Reported_Once_With_Its_Reason_And_The_Chip_Keeps_Answering()
    {
        await using var bench = await StartAsync("sim-chain.yaml");
        var relay = bench.RelaysByChip["chip2"];
        var garbage = new byte[] { 0x00, 0xFF, 0x13, 0x37, 0xA5, 0x00, 0x42, 0x0D, 0x0A };
        relay.InjectRaw(garbage, Direction.Downstream);
        var status = await bench.Probe.QueryStatusAsync("chip2", TestContext.Current.CancellationToken);
        Assert.NotNull(status);
        // The relay forwarded the garbage unchanged and the chip's decoder skipped it: one log line
        // naming the port, the byte count and why.
        var chipLog = await WaitForTimelineAsync(bench, e => e.Source == "chip2" && e.Summary.Contains("skipped", StringComparison.Ordinal));
        Assert.Contains($"skipped {garbage.Length} byte(s)", chipLog.Summary, StringComparison.Ordinal);
        Assert.Contains("no sync byte 0xA5", chipLog.Summary, StringComparison.Ordinal);
        Assert.True(bench.Power("chip2").IsOn);
    }

    [Fact]
    public async Task PowerOff_Silences_A_Chip_And_PowerOn_Brings_It_Back_From_Its_Flash()
    {
        await using var bench = await StartAsync("sim-chain.yaml");
        var token = TestContext.Current.CancellationToken;
        await bench.Power("chip3").OffAsync(token);
        Assert.Null(await bench.Probe.QueryStatusAsync("chip3", token));
        await bench.Power("chip3").OnAsync(token);
        var status = await bench.Probe.WaitUntilAnswersAsync("chip3", TimeSpan.FromSeconds(20), token);
        Assert.Equal(new FirmwareVersion(1, 0, 0), status.ActiveVersion);
    }

    [Fact]
    public async Task A_Chip_Named_By_Command_Joins_The_Bench_With_Its_Ports_And_A_Factory_Programmed_Flash()
    {
        var root = RepoRoot();
        var (host, prefix) = HilRig.Bench.Node.NodeExecutable.Resolve();
        // Any executable can be a chip; here it is the bench's own emulator (hilrig-node), started the way a team's host
        // build would be: through the wiring's command template, not through the built-in launcher.
        var command = $"\"{host}\" {string.Join(' ', prefix.Select(p => $"\"{p}\""))} chip --name ext --model-id {{model_id}} --upstream {{upstream}} --flash {{flash}} --baud {{baud}}";
        var image = Path.Combine(root, "firmware-images", "images", "chip-11-v1.0.0.hrim");
        var yaml = string.Join('\n',
            "bench: ext-command",
            "kind: virtual",
            "module:",
            "  power: { kind: virtual }",
            "chips:",
            "  - name: chip1",
            "    model_id: 0x11",
            $"    factory_image: {image}",
            $"    command: '{command.Replace("'", "''", StringComparison.Ordinal)}'",
            "    power: { kind: virtual }",
            "links:",
            "  - { from: module, to: chip1, baud: 115200, rig: relay }");
        var wiring = WiringLoader.Parse(yaml, "ext-command.yaml");
        var artifacts = Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N"));
        await using var bench = VirtualBench.Create(wiring, new BenchOptions(artifacts));
        await bench.PowerOnAllAsync(TestContext.Current.CancellationToken);
        var status = await bench.Probe.QueryStatusAsync("chip1", TestContext.Current.CancellationToken);
        Assert.NotNull(status);
        Assert.Equal(new FirmwareVersion(1, 0, 0), status.ActiveVersion);
        Assert.Contains(bench.Timeline.Snapshot(), e => e.Source == "chip1" && e.Kind == "process" && e.Summary.Contains("/bin/sh", StringComparison.Ordinal));
    }

    private static async Task<HilRig.Core.Timeline.TimelineEvent> WaitForTimelineAsync(VirtualBench bench, Func<HilRig.Core.Timeline.TimelineEvent, bool> match)
    {
        var found = new TaskCompletionSource<HilRig.Core.Timeline.TimelineEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRecorded(HilRig.Core.Timeline.TimelineEvent e)
        {
            if (match(e)) found.TrySetResult(e);
        }
        bench.Timeline.Recorded += OnRecorded;
        try
        {
            if (bench.Timeline.Snapshot().FirstOrDefault(match) is { } already) return already;
            return await found.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        finally
        {
            bench.Timeline.Recorded -= OnRecorded;
        }
    }
}
