using System.Device.I2c;
using Iot.Device.Adc;

namespace HilRig.Core.Sensors;

/// <summary>
/// A TI INA219 on a node's supply, read through the dotnet/iot binding (<see cref="Ina219"/> of Iot.Device.Bindings,
/// over <see cref="I2cDevice"/>). Opening resets the chip to its power-on configuration (32 V bus range, ±320 mV
/// shunt range, 12-bit conversions, continuous; TI SBOS448 section 8.6.2.1) and writes the calibration of
/// <see cref="Ina219Calibration"/>. Every bus error comes back as one <see cref="SensorException"/> naming where the
/// sensor sits.
/// </summary>
public sealed class Ina219CurrentSensor : ICurrentSensor, IDisposable
{
    private readonly I2cDevice _device;
    private readonly Ina219 _ina;
    private readonly bool _ownsDevice;

    /// <summary>Resets and calibrates the sensor.</summary>
    /// <param name="node">The node whose supply it measures.</param>
    /// <param name="device">The I2C device at the sensor's address.</param>
    /// <param name="calibration">Shunt and range.</param>
    /// <param name="deadBelowMilliamps">Below this a powered node counts as dead.</param>
    /// <param name="ownsDevice">Dispose the device with the sensor.</param>
    /// <param name="where">Where the sensor sits, for messages (default "I2C bus 1 address 0x40").</param>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public Ina219CurrentSensor(string node, I2cDevice device, Ina219Calibration calibration, double deadBelowMilliamps, bool ownsDevice = false, string? where = null)
    {
        Node = node;
        DeadBelowMilliamps = deadBelowMilliamps;
        Calibration = calibration;
        Where = where ?? $"I2C bus {device.ConnectionSettings.BusId} address 0x{device.ConnectionSettings.DeviceAddress:X2}";
        _device = device;
        _ownsDevice = ownsDevice;
        _ina = new Ina219(device);
        Bus("reset (configuration register 0x00)", _ina.Reset);
        Bus("calibration (register 0x05)", () => _ina.SetCalibration(calibration.Value, (float)calibration.CurrentLsb));
    }

    /// <inheritdoc />
    public string Node { get; }

    /// <inheritdoc />
    public double DeadBelowMilliamps { get; }

    /// <summary>Where the sensor sits, for messages.</summary>
    public string Where { get; }

    /// <summary>The calibration written at opening.</summary>
    public Ina219Calibration Calibration { get; }

    /// <summary>
    /// Whether the configuration register reads back the INA219's power-on default after the reset (section
    /// 8.6.2.1, Table 4): what tells an INA219 from another chip answering at the address.
    /// </summary>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public (bool IsDefault, string Description) ReadConfiguration()
    {
        var (range, gain, mode) = Bus("configuration (register 0x00)", () => (_ina.BusVoltageRange, _ina.PgaSensitivity, _ina.OperatingMode));
        var isDefault = range == Ina219BusVoltageRange.Range32v && gain == Ina219PgaSensitivity.PlusOrMinus320mv && mode == Ina219OperatingMode.ShuntAndBusContinuous;
        return (isDefault, $"{range}, {gain}, {mode}");
    }

    /// <summary>Reads voltage, current and power.</summary>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public CurrentReading Read()
    {
        var (bus, shunt, current, power) = Bus("a measurement", () =>
            (_ina.ReadBusVoltage().Volts, _ina.ReadShuntVoltage().Volts, _ina.ReadCurrent().Amperes, (double)_ina.ReadPower().Watts));
        // The binding reads the signed registers as unsigned, and the 13-bit bus voltage through a signed 16-bit shift:
        // put the sign back where the chip has one (two's complement, sections 8.6.3.1 and 8.6.3.4) and none where
        // it has none (section 8.6.3.2).
        var shuntVolts = Signed(shunt, Ina219Calibration.ShuntVoltageLsb);
        var busVolts = bus < 0 ? bus + 8192 * Ina219Calibration.BusVoltageLsb : bus;
        return new CurrentReading(
            BusVolts: busVolts,
            ShuntVolts: shuntVolts,
            CurrentAmps: Signed(current, Calibration.CurrentLsb),
            PowerWatts: power,
            Overflow: Calibration.Overflows(shuntVolts));
    }

    /// <inheritdoc />
    public Task<double> ReadMilliampsAsync(CancellationToken cancellationToken)
    {
        var reading = Read();
        if (reading.Overflow)
        {
            throw new SensorException($"INA219 of {Node}: the reading overflowed (current beyond the calibrated range)");
        }
        return Task.FromResult(Math.Abs(reading.CurrentAmps) * 1000);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ina.Dispose();
        if (_ownsDevice) _device.Dispose();
    }

    private static double Signed(double unsignedValue, double lsb)
    {
        var counts = (long)Math.Round(unsignedValue / lsb);
        return counts >= 32768 ? (counts - 65536) * lsb : unsignedValue;
    }

    private void Bus(string what, Action action) => Bus(what, () =>
    {
        action();
        return 0;
    });

    private T Bus<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            throw new SensorException($"INA219 at {Where}: no answer to {what}: {ex.Message}", ex);
        }
    }
}
