using HilRig.Core.Links;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>
/// What scenarios, faults, verification, sweeps and reports need of a bench, whatever it is made of: the
/// virtual bench (emulated nodes on ptys) or a hardware bench (boards on serial adapters, power through GPIO
/// or commands). Code above this seam never names either kind; <see cref="BenchFactory"/> builds the one the
/// wiring file describes.
/// </summary>
public interface IBench : IAsyncDisposable
{
    /// <summary>The bench description.</summary>
    BenchWiring Wiring { get; }

    /// <summary>Run settings.</summary>
    BenchOptions Options { get; }

    /// <summary>Everything that happened on this bench.</summary>
    BenchTimeline Timeline { get; }

    /// <summary>STATUS queries (and bench extension messages) through the relay links.</summary>
    ChipProbe Probe { get; }

    /// <summary>The relay links by the name of the chip at their far end.</summary>
    IReadOnlyDictionary<string, RelayLink> RelaysByChip { get; }

    /// <summary>Where campaigns are handed to the comm module and its events come back.</summary>
    IModuleChannel Server { get; }

    /// <summary>The bench's emulated servers and network, when it has them.</summary>
    CloudBench? Cloud { get; }

    /// <summary>The module's flash directory (its WiFi side's records), when the bench has a cloud.</summary>
    string ModuleFlashDirectory { get; }

    /// <summary>The power switch of a node ("module" or a chip name).</summary>
    IPowerSwitch Power(string node);

    /// <summary>The current sensor on a node's supply, or null when none is wired.</summary>
    ICurrentSensor? Sensor(string node);

    /// <summary>
    /// Waits, at most <see cref="BenchOptions.BootTimeout"/>, until a node that was just powered on has booted as far as
    /// the bench can tell (an emulated node's boot record; on boards, at once: the STATUS that follows says more).
    /// </summary>
    Task WaitBootedAsync(string node, CancellationToken cancellationToken);

    /// <summary>Powers every chip and then the module on, and waits until every chip behind a relay answers STATUS.</summary>
    Task PowerOnAllAsync(CancellationToken cancellationToken);

    /// <summary>Powers every node off (module first).</summary>
    Task PowerOffAllAsync(CancellationToken cancellationToken);
}

/// <summary>Extensions every bench shares.</summary>
public static class BenchExtensions
{
    /// <summary>The cloud, or a clear error for a bench without one.</summary>
    public static CloudBench RequireCloud(this IBench bench) => bench.Cloud ?? throw new InvalidOperationException(
        $"{bench.Wiring.SourcePath}: bench '{bench.Wiring.Name}' has no network section, so it has no servers (see wiring/sim-chain.yaml)");
}
