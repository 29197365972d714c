namespace HilRig.Core.Sensors;

/// <summary>
/// What the INA219's calibration register is given for a shunt and a current range, computed as TI's datasheet does
/// (TI SBOS448 "INA219 Zerø-Drift, Bidirectional Current/Power Monitor With I2C Interface", revision G, section
/// 8.5.1). The dotnet/iot binding takes the value and Current_LSB as they are (<c>Ina219.SetCalibration</c>); the
/// arithmetic is the user's, so it lives here.
/// </summary>
/// <param name="ShuntOhms">Shunt resistor.</param>
/// <param name="CurrentLsb">Amperes per LSB of the current register.</param>
/// <param name="Value">The value written to the calibration register (0x05).</param>
public sealed record Ina219Calibration(double ShuntOhms, double CurrentLsb, ushort Value)
{
    /// <summary>Shunt voltage LSB: 10 µV (section 8.6.3.1).</summary>
    public const double ShuntVoltageLsb = 10e-6;

    /// <summary>Bus voltage LSB: 4 mV (section 8.6.3.2).</summary>
    public const double BusVoltageLsb = 4e-3;

    /// <summary>Watts per LSB of the power register: 20 × Current_LSB (section 8.5.1, equation 3).</summary>
    public double PowerLsb => 20 * CurrentLsb;

    /// <summary>The calibration for a shunt and the largest current expected.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive, or the calibration does not fit the register.</exception>
    public static Ina219Calibration For(double shuntOhms, double maxExpectedAmps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shuntOhms);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExpectedAmps);
        var currentLsb = CurrentLsbFor(maxExpectedAmps);
        return new Ina219Calibration(shuntOhms, currentLsb, CalibrationFor(currentLsb, shuntOhms));
    }

    /// <summary>Current_LSB = Maximum Expected Current / 2^15 (section 8.5.1, equation 2).</summary>
    public static double CurrentLsbFor(double maxExpectedAmps) => maxExpectedAmps / 32768.0;

    /// <summary>
    /// Cal = trunc(0.04096 / (Current_LSB × R_SHUNT)) (section 8.5.1, equation 1); bit 0 of the register is
    /// not used, so the value is kept even; it must fit the 16-bit register.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The shunt and range give a value the register cannot hold.</exception>
    public static ushort CalibrationFor(double currentLsb, double shuntOhms)
    {
        var cal = Math.Truncate(0.04096 / (currentLsb * shuntOhms));
        if (cal < 2 || cal > 0xFFFE)
        {
            throw new ArgumentOutOfRangeException(nameof(currentLsb), $"calibration {cal} for Current_LSB {currentLsb} A and shunt {shuntOhms} ohm does not fit the 16-bit register; pick another max_current_a");
        }
        return (ushort)((ushort)cal & 0xFFFE);
    }

    /// <summary>
    /// Whether the chip's current math overflows for this shunt voltage: Current register = Shunt voltage register ×
    /// Cal / 4096 (section 8.5.1, equation 4) beyond a signed 16-bit value, which is when the chip sets OVF (section
    /// 8.6.3.2). The binding does not expose OVF (it shifts it out of the bus voltage), so it is computed from the
    /// shunt voltage the binding reads, with the chip's own equation.
    /// </summary>
    public bool Overflows(double shuntVolts)
    {
        var shuntCounts = (long)Math.Round(shuntVolts / ShuntVoltageLsb);
        var current = shuntCounts * Value / 4096;
        return current is > short.MaxValue or < short.MinValue;
    }
}
