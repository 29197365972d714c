using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Verification;
using HilRig.Protocol.Framing;

namespace HilRig.Core.Faults;

/// <summary>What the fault engine hands an action: the bench and its observers.</summary>
public sealed record FaultContext(IBench Bench, ChainObserver Observer, RecoveryVerifier Verifier);

/// <summary>What a fault does once its trigger fires.</summary>
public interface IFaultAction
{
    /// <summary>Words for the timeline and reports ("power off chip2 for 500 ms").</summary>
    string Description { get; }

    /// <summary>Does it; returns the recovery check when the action includes one (power cuts).</summary>
    Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Cuts the power of some nodes (or the whole device) for a while, then restores it chips first,
/// checks every chip against what it had persisted, and only then powers the module back on.
/// </summary>
public sealed partial record PowerCut(IReadOnlyList<string> Nodes, TimeSpan Duration) : IFaultAction
{
    /// <summary>Every node of the device.</summary>
    public static PowerCut WholeDevice(IBench bench, TimeSpan duration) =>
        new([.. bench.Wiring.Chips.Select(c => c.Name), Wiring.ModuleWiring.Name], duration);

    /// <inheritdoc />
    public string Description => $"power off {string.Join(", ", Nodes)} for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var bench = context.Bench;
        await Task.WhenAll(Nodes.Select(n => bench.Power(n).OffAsync(cancellationToken))).ConfigureAwait(false);
        // What the chips had persisted is read once they are off, not when the trigger fired: switching
        // takes milliseconds (tens on a loaded machine), and the traffic of those milliseconds counts (a
        // COMPLETE passing a chip on its way up moves it to Initial before its power goes).
        var before = context.Observer.Snapshot();
        await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        var chips = Nodes.Where(n => n != Wiring.ModuleWiring.Name).ToList();
        // While a chip that lost power alone is checked, the traffic of the device that kept running
        // waits at its links, so the chip cannot change mode before the rig has asked it.
        var held = Nodes.Contains(Wiring.ModuleWiring.Name) ? [] : HoldAround(bench, chips);
        var powerOnAt = bench.Timeline.NowMs;
        RecoveryCheck check;
        try
        {
            foreach (var chip in chips)
            {
                await bench.Power(chip).OnAsync(cancellationToken).ConfigureAwait(false);
            }
            check = await context.Verifier.VerifyAsync(Description, before, powerOnAt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var faults in held) faults.Release();
        }
        var moduleOnAt = bench.Timeline.NowMs;
        if (Nodes.Contains(Wiring.ModuleWiring.Name))
        {
            await bench.Power(Wiring.ModuleWiring.Name).OnAsync(cancellationToken).ConfigureAwait(false);
            if (await context.Verifier.VerifyResumeAsync(before, moduleOnAt, cancellationToken).ConfigureAwait(false) is { } resume)
            {
                check = check.With(resume);
            }
        }
        return check;
    }
}

/// <summary>Helpers of <see cref="PowerCut"/>.</summary>
public sealed partial record PowerCut
{
    private static List<LinkFaults> HoldAround(IBench bench, IReadOnlyList<string> chips)
    {
        var held = new List<LinkFaults>();
        foreach (var chip in chips)
        {
            if (bench.RelaysByChip.TryGetValue(chip, out var above)) held.Add(above.Downstream);
            foreach (var child in bench.Wiring.Children(chip))
            {
                if (bench.RelaysByChip.TryGetValue(child, out var below)) held.Add(below.Upstream);
            }
        }
        foreach (var faults in held) faults.Hold();
        return held;
    }
}

/// <summary>Breaks the relay link above <paramref name="Chip"/> in one or both directions, for a while or for good.</summary>
public sealed record BreakLink(string Chip, Direction? OnlyDirection, TimeSpan? Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description =>
        $"break the link above {Chip} {(OnlyDirection is { } d ? d.ToString().ToLowerInvariant() + " only" : "both ways")} {(Duration is { } t ? $"for {t.TotalMilliseconds:0} ms" : "for good")}";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var relay = context.Bench.RelaysByChip[Chip];
        var directions = OnlyDirection is { } only ? [only] : new[] { Direction.Downstream, Direction.Upstream };
        foreach (var d in directions) relay.Faults(d).Break(Duration);
        if (Duration is { } duration)
        {
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
            foreach (var d in directions) relay.Faults(d).Mend();
            context.Bench.Timeline.Add(relay.Name, "fault", "link mended");
        }
        return null;
    }
}

/// <summary>Drops the next <paramref name="Count"/> frames (of one type, if given) on the link above <paramref name="Chip"/>.</summary>
public sealed record DropFrames(string Chip, Direction Direction, int Count, MessageType? Type) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"drop {Count} {(Type?.ToString() ?? "")} frame(s) {Direction.ToString().ToLowerInvariant()} on the link above {Chip}";

    /// <inheritdoc />
    public Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        context.Bench.RelaysByChip[Chip].Faults(Direction).DropFrames(Count, Type is { } t ? f => f.Type == t : null);
        return Task.FromResult<RecoveryCheck?>(null);
    }
}

/// <summary>Flips one bit of the next frame (of one type, if given) on the link above <paramref name="Chip"/>.</summary>
public sealed record CorruptFrame(string Chip, Direction Direction, int ByteIndex, int Bit, MessageType? Type) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"corrupt the next {(Type?.ToString() ?? "")} frame {Direction.ToString().ToLowerInvariant()} on the link above {Chip} at byte {ByteIndex} bit {Bit}";

    /// <inheritdoc />
    public Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        context.Bench.RelaysByChip[Chip].Faults(Direction).CorruptNextFrame(ByteIndex, Bit, Type is { } t ? f => f.Type == t : null);
        return Task.FromResult<RecoveryCheck?>(null);
    }
}

/// <summary>Delays every frame on the link above <paramref name="Chip"/> for a while.</summary>
public sealed record DelayFrames(string Chip, Direction Direction, TimeSpan Delay, TimeSpan Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"delay frames {Direction.ToString().ToLowerInvariant()} on the link above {Chip} by {Delay.TotalMilliseconds:0} ms for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var faults = context.Bench.RelaysByChip[Chip].Faults(Direction);
        faults.Delay(Delay);
        await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        faults.Delay(TimeSpan.Zero);
        return null;
    }
}

/// <summary>Puts <paramref name="Count"/> bytes of deterministic garbage on the link above <paramref name="Chip"/>, between frames.</summary>
public sealed record InjectGarbage(string Chip, Direction Direction, int Count, int Seed) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"inject {Count} byte(s) of garbage {Direction.ToString().ToLowerInvariant()} on the link above {Chip}";

    /// <inheritdoc />
    public Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var bytes = new byte[Count];
        new Random(Seed).NextBytes(bytes);
        context.Bench.RelaysByChip[Chip].InjectRaw(bytes, Direction);
        return Task.FromResult<RecoveryCheck?>(null);
    }
}
