using System.Globalization;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The thresholds over which an address request jumps to the front of the master gateway's queue (docs/cloud.md §5.3,
/// allocation rule 4): "a request whose pending-command count, device level or address priority is over its threshold
/// jumps to the front". Over means greater than. Set in <see cref="MasterGatewayOptions.Thresholds"/>, and on a running
/// master as <see cref="MasterGateway.Thresholds"/> (a request is ranked when it arrives).
/// </summary>
public sealed record PriorityThresholds
{
    /// <summary>A device with more commands than this waiting for it in the dispatcher jumps (the count is not capped here).</summary>
    public int PendingCommands { get; init; } = 10;

    /// <summary>A device of a higher level than this jumps.</summary>
    public int DeviceLevel { get; init; } = 3;

    /// <summary>A request with a higher address priority than this jumps.</summary>
    public int AddressPriority { get; init; } = 5;

    /// <summary>Thresholds no request is ever over: the queue is by effective time alone.</summary>
    public static PriorityThresholds None { get; } = new() { PendingCommands = int.MaxValue, DeviceLevel = int.MaxValue, AddressPriority = int.MaxValue };
}

/// <summary>
/// Where an address request stands in the master gateway's queue (docs/cloud.md §5.3, rule 4): requests over a threshold
/// first, then the rest; within each, earliest effective time first (arrival moved earlier by the bumps of
/// <see cref="MasterGatewayOptions"/>), ties by arrival. Pure: the master ranks waiting requests and the devices of a batch
/// with it, so both paths order the same way.
/// </summary>
/// <param name="OverThreshold">Which threshold the request is over ("pending commands 12 > 10"), or null.</param>
/// <param name="EffectiveTicks">Arrival (UTC ticks) minus the bumps.</param>
/// <param name="Sequence">Arrival order, for ties.</param>
public sealed record RequestPriority(string? OverThreshold, long EffectiveTicks, long Sequence)
{
    /// <summary>True when the request jumps to the front.</summary>
    public bool JumpsToFront => OverThreshold is not null;

    /// <summary>Ranks a request that arrived at <paramref name="arrivalTicks"/>.</summary>
    /// <param name="pendingCommands">Commands waiting for the device in the dispatcher (uncapped; the bump caps it).</param>
    /// <param name="deviceLevel">The request's device level.</param>
    /// <param name="addressPriority">The request's address priority.</param>
    /// <param name="arrivalTicks">When the master got it.</param>
    /// <param name="sequence">Its arrival number.</param>
    /// <param name="options">The bumps.</param>
    /// <param name="thresholds">The thresholds; <see cref="PriorityThresholds.None"/> ignores them.</param>
    public static RequestPriority Of(int pendingCommands, int deviceLevel, int addressPriority, long arrivalTicks, long sequence,
        MasterGatewayOptions options, PriorityThresholds thresholds)
    {
        var bumpMs = (long)Math.Min(pendingCommands, options.PendingCommandBumpCap) * options.PendingCommandBumpMs
            + (long)deviceLevel * options.DeviceLevelBumpMs
            + (long)addressPriority * options.AddressPriorityBumpMs;
        var over = new List<string>();
        if (pendingCommands > thresholds.PendingCommands) over.Add(Over("pending commands", pendingCommands, thresholds.PendingCommands));
        if (deviceLevel > thresholds.DeviceLevel) over.Add(Over("device level", deviceLevel, thresholds.DeviceLevel));
        if (addressPriority > thresholds.AddressPriority) over.Add(Over("address priority", addressPriority, thresholds.AddressPriority));
        return new RequestPriority(over.Count == 0 ? null : string.Join(", ", over), arrivalTicks - bumpMs * TimeSpan.TicksPerMillisecond, sequence);

        static string Over(string what, int value, int threshold) => string.Create(CultureInfo.InvariantCulture, $"{what} {value} > {threshold}");
    }

    /// <summary>The queue's order: over a threshold first, then earliest effective time, then earliest arrival.</summary>
    public static IComparer<RequestPriority> Order { get; } = Comparer<RequestPriority>.Create((x, y) =>
    {
        if (x.JumpsToFront != y.JumpsToFront) return x.JumpsToFront ? -1 : 1;
        var byTime = x.EffectiveTicks.CompareTo(y.EffectiveTicks);
        return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
    });

    /// <summary>How the request is placed, for the master's log line.</summary>
    public string Describe(long arrivalTicks) => OverThreshold is { } over
        ? $"over a threshold ({over}): to the front"
        : string.Create(CultureInfo.InvariantCulture, $"effective time {(EffectiveTicks - arrivalTicks) / TimeSpan.TicksPerMillisecond} ms");
}
