namespace HilRig.Core.Wiring;

/// <summary>Kinds of current sensor the rig can read.</summary>
public enum SensorKind
{
    /// <summary>TI INA219 current/power monitor on I2C.</summary>
    Ina219,

    /// <summary>A shell command that prints the node's current in milliamps (a lab supply's CLI, a bench double).</summary>
    Command,
}

/// <summary>A current sensor on a node's supply, used to tell a sleeping chip from a dead one.</summary>
/// <param name="Kind">Sensor model.</param>
/// <param name="Bus">I2C bus number (<c>/dev/i2c-N</c>).</param>
/// <param name="Address">7-bit I2C address.</param>
/// <param name="ShuntOhms">Shunt resistor value.</param>
/// <param name="MaxCurrentAmps">Largest current expected; sets the calibration range.</param>
/// <param name="Line">Line of the <c>sensor</c> entry in the wiring file.</param>
public sealed record SensorWiring(
    SensorKind Kind,
    int Bus,
    int Address,
    double ShuntOhms,
    double MaxCurrentAmps,
    int Line = 0)
{
    /// <summary>Shunt used when none is given: 0.1 ohm, as on the common INA219 breakout boards.</summary>
    public const double DefaultShuntOhms = 0.1;

    /// <summary>The command that prints the current in milliamps (<see cref="SensorKind.Command"/>).</summary>
    public string? ReadCommand { get; init; }

    /// <summary>Below this current (milliamps) a powered, silent node counts as dead rather than asleep.</summary>
    public double DeadBelowMilliamps { get; init; } = DefaultDeadBelowMilliamps;

    /// <summary>
    /// The default dead threshold: 0.5 mA, under the sleep current of the MCUs the protocol targets (a few hundred µA
    /// to a few mA with peripherals off) only when the supply is really open; set <c>dead_below_ma</c> per board.
    /// </summary>
    public const double DefaultDeadBelowMilliamps = 0.5;

    /// <summary>Current range used when none is given.</summary>
    public const double DefaultMaxCurrentAmps = 1.0;
}
