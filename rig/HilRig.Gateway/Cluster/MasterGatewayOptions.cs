namespace HilRig.Gateway.Cluster;

/// <summary>
/// How the master gateway orders and answers address requests (docs/cloud.md §5.3). A request's
/// place in the queue is its arrival time moved earlier by the bumps below; a request over one of the
/// <see cref="Thresholds"/> goes before every request that is not.
/// </summary>
public sealed record MasterGatewayOptions
{
    /// <summary>Each command waiting for the device moves its request this much earlier.</summary>
    public int PendingCommandBumpMs { get; init; } = 1_000;

    /// <summary>Most pending commands that count for the bump (one busy device cannot jump everyone).</summary>
    public int PendingCommandBumpCap { get; init; } = 10;

    /// <summary>Each device level moves its request this much earlier.</summary>
    public int DeviceLevelBumpMs { get; init; } = 5_000;

    /// <summary>Each step of address priority moves its request this much earlier.</summary>
    public int AddressPriorityBumpMs { get; init; } = 2_000;

    /// <summary>Over which pending-command count, device level or address priority a request jumps to the front.</summary>
    public PriorityThresholds Thresholds { get; init; } = new();

    /// <summary>How long a request waits for room before it is answered "retry"; 0 answers "retry" at once.</summary>
    public int MaxWaitMs { get; init; } = 30_000;

    /// <summary>The RetryAfterMs given with a "retry" answer.</summary>
    public int RetryAfterMs { get; init; } = 1_000;

    /// <summary>An assigned slot the device does not connect to within this time is freed.</summary>
    public int ReservationTimeoutMs { get; init; } = 30_000;
}
