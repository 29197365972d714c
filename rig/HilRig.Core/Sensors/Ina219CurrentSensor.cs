namespace HilRig.Core.Sensors;

/// <summary>An <see cref="Ina219"/> on a node's supply, read as the node's current.</summary>
public sealed class Ina219CurrentSensor(string node, Ina219 sensor, double deadBelowMilliamps) : ICurrentSensor, IDisposable
{
    /// <inheritdoc />
    public string Node { get; } = node;

    /// <inheritdoc />
    public double DeadBelowMilliamps { get; } = deadBelowMilliamps;

    /// <inheritdoc />
    public Task<double> ReadMilliampsAsync(CancellationToken cancellationToken)
    {
        var reading = sensor.Read();
        if (reading.Overflow)
        {
            throw new SensorException($"INA219 of {Node}: the reading overflowed (current beyond the calibrated range)");
        }
        return Task.FromResult(Math.Abs(reading.CurrentAmps) * 1000);
    }

    /// <inheritdoc />
    public void Dispose() => sensor.Dispose();
}
