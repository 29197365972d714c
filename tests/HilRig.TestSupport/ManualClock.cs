namespace HilRig.TestSupport;

/// <summary>A clock the test moves by hand (request times, certificate lifetimes, retry schedules).</summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now;

    /// <summary>Starts at <paramref name="start"/>, or at 2026-01-01 UTC.</summary>
    public ManualClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    /// <summary>Moves the clock on.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }
}
