namespace HilRig.Bench.Flash;

/// <summary>
/// Thrown by <see cref="NorFlash"/> when a <see cref="FlashFaultPlan"/> cuts the power inside an
/// operation: the torn state is already on the flash file, and the chip must do nothing more (the
/// host drains its UARTs and exits; tests reboot a new firmware instance on the same flash).
/// </summary>
public sealed class PowerCutException : Exception
{
    /// <summary>Creates the exception for a cut inside <paramref name="operation"/>.</summary>
    public PowerCutException(FlashOperation operation, int tornAfterBytes)
        : base($"power cut inside flash op #{operation.Number} ({operation.Describe()}), torn after {tornAfterBytes} byte(s)")
    {
        Operation = operation;
        TornAfterBytes = tornAfterBytes;
    }

    /// <summary>The operation the cut landed in.</summary>
    public FlashOperation Operation { get; }

    /// <summary>
    /// How many leading bytes of the operation completed (0 = nothing happened, the operation's length =
    /// it completed and the chip died right after); the byte after them may be partly changed.
    /// </summary>
    public int TornAfterBytes { get; }
}
