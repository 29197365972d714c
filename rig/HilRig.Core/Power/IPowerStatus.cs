namespace HilRig.Core.Power;

/// <summary>
/// A power switch that can tell whether its node is powered from the hardware itself (the GPIO line's
/// level read back, or an external status command), not only from what the rig last asked for.
/// </summary>
public interface IPowerStatus
{
    /// <summary>True when the node is powered, false when it is not.</summary>
    /// <exception cref="PowerSwitchException">The switch cannot be read.</exception>
    Task<bool> QueryAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Drives the node to its safe state (off) at once, from any thread, without throwing: for exits and
    /// signals.
    /// </summary>
    void SafeOff();
}

/// <summary>A power switch could not do what it was asked; the message names the node and the cause.</summary>
public sealed class PowerSwitchException(string message, Exception? inner = null) : Exception(message, inner);
