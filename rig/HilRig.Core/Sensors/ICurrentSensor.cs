namespace HilRig.Core.Sensors;

/// <summary>
/// The current a node draws from its supply: what tells a sleeping chip (low power, seed 002) from a dead one
/// (nothing at all) when both are silent on the UART.
/// </summary>
public interface ICurrentSensor
{
    /// <summary>The node the sensor sits on.</summary>
    string Node { get; }

    /// <summary>Below this a powered node counts as drawing nothing (dead).</summary>
    double DeadBelowMilliamps { get; }

    /// <summary>Reads the current now, in milliamps.</summary>
    /// <exception cref="SensorException">The sensor cannot be read; the message names it.</exception>
    Task<double> ReadMilliampsAsync(CancellationToken cancellationToken);
}
