using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Core.Tests.Faults;

/// <summary>
/// The embedded default bench (wiring/sim-chain.yaml: three chained chips) with nothing running behind it: relay links that are never started (their
/// fault settings are what a test reads), no processes, no ports opened. What a unit test of the fault engine
/// and its actions needs; anything else it is asked for is a test bug and throws.
/// </summary>
internal sealed class FakeBench : IBench
{
    public FakeBench()
    {
        Wiring = WiringLoader.Load(TestRepository.PathOf("wiring", "sim-chain.yaml"));
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
