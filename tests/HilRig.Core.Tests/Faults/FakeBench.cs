using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Core.Tests.Faults;

/// <summary>
/// A bench of three chained chips with nothing running behind it: relay links that are never started (their
/// fault settings are what a test reads), no processes, no ports opened. What a unit test of the fault engine
/// and its actions needs; anything else it is asked for is a test bug and throws.
/// </summary>
internal sealed class FakeBench : IBench
{
    private const string Yaml = """
        bench: fake-chain
        kind: virtual
        module:
          power: { kind: virtual }
        chips:
          - { name: chip1, model_id: 0x11, power: { kind: virtual } }
          - { name: chip2, model_id: 0x12, power: { kind: virtual } }
          - { name: chip3, model_id: 0x13, power: { kind: virtual } }
        links:
          - { from: module, to: chip1, baud: 115200, rig: relay }
          - { from: chip1, to: chip2, baud: 115200, rig: relay }
          - { from: chip2, to: chip3, baud: 115200, rig: relay }
        """;

    public FakeBench()
    {
        Wiring = WiringLoader.Parse(Yaml, "wiring/fake-chain.yaml", new WiringLoadOptions { CheckFilesExist = false });
        RelaysByChip = Wiring.Chips.ToDictionary(c => c.Name, c => new RelayLink($"{Wiring.Parent(c.Name)}-{c.Name}", "/dev/null-near", "/dev/null-far", 115200, Timeline));
    }

    public BenchWiring Wiring { get; }

    public BenchTimeline Timeline { get; } = new(null);

    public IReadOnlyDictionary<string, RelayLink> RelaysByChip { get; }

    public BenchOptions Options => throw Unused();

    public ChipProbe Probe => throw Unused();

    public IModuleChannel Server => throw Unused();

    public CloudBench? Cloud => null;

    public string ModuleFlashDirectory => throw Unused();

    public IPowerSwitch Power(string node) => throw Unused();

    public ICurrentSensor? Sensor(string node) => null;

    public Task WaitBootedAsync(string node, CancellationToken cancellationToken) => throw Unused();

    public Task PowerOnAllAsync(CancellationToken cancellationToken) => throw Unused();

    public Task PowerOffAllAsync(CancellationToken cancellationToken) => throw Unused();

    /// <summary>The timeline entries of one kind.</summary>
    public IReadOnlyList<TimelineEvent> Events(string kind) => Timeline.Snapshot().Where(e => e.Kind == kind).ToList();

    /// <summary>Completes with the next timeline entry of <paramref name="kind"/> recorded from now on.</summary>
    public Task<TimelineEvent> NextAsync(string kind)
    {
        var next = new TaskCompletionSource<TimelineEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRecorded(TimelineEvent e)
        {
            if (e.Kind != kind) return;
            Timeline.Recorded -= OnRecorded;
            next.TrySetResult(e);
        }
        Timeline.Recorded += OnRecorded;
        return next.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in RelaysByChip.Values) await relay.DisposeAsync();
        Timeline.Dispose();
    }

    private static NotSupportedException Unused() => new("the fake bench has no such part: the test asked for more than it wired");
}
