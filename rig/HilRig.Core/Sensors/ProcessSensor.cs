using HilRig.Core.Power;

namespace HilRig.Core.Sensors;

/// <summary>
/// The supply current of an emulated node, read from its process: running draws <see cref="RunningMilliamps"/>,
/// ended (or off) draws nothing. An emulated chip has no sleep current of its own, so this tells dead from
/// not dead, which is what the recovery check asks of a silent chip. The draw goes through a simulated INA219
/// (<see cref="SimulatedIna219.OnNode"/>) and is read back with the dotnet/iot binding, as a wired sensor is.
/// </summary>
public sealed class ProcessSensor(VirtualPowerSwitch power) : ICurrentSensor
{
    /// <summary>What a running emulated node reads as (a typical awake MCU).</summary>
    public const double RunningMilliamps = 20;

    private readonly Ina219CurrentSensor _ina = SimulatedIna219.OnNode(
        power.Node, () => power.Process is { IsRunning: true } ? RunningMilliamps : 0.0, deadBelowMilliamps: 0.5);

    /// <inheritdoc />
    public string Node => power.Node;

    /// <inheritdoc />
    public double DeadBelowMilliamps => _ina.DeadBelowMilliamps;

    /// <inheritdoc />
    public Task<double> ReadMilliampsAsync(CancellationToken cancellationToken)
    {
        lock (_ina)
        {
            return _ina.ReadMilliampsAsync(cancellationToken);
        }
    }
}
