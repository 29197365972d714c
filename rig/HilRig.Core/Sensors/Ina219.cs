using System.Buffers.Binary;
using System.Device.I2c;

namespace HilRig.Core.Sensors;

/// <summary>One reading of a current sensor.</summary>
/// <param name="BusVolts">Supply voltage on the load side.</param>
/// <param name="ShuntVolts">Voltage across the shunt (signed).</param>
/// <param name="CurrentAmps">Current through the shunt (signed).</param>
/// <param name="PowerWatts">Power the load draws.</param>
/// <param name="Overflow">The sensor's math overflowed (the OVF flag): current and power are not valid.</param>
public sealed record CurrentReading(double BusVolts, double ShuntVolts, double CurrentAmps, double PowerWatts, bool Overflow);

/// <summary>
/// TI INA219 current/power monitor, written over <see cref="I2cDevice"/> from the datasheet (TI SBOS448,
/// "INA219 Zerø-Drift, Bidirectional Current/Power Monitor With I2C Interface"; section numbers below
/// are of revision G). Registers are 16 bits, big-endian; a read writes the register pointer, then reads
/// two bytes; a write sends the pointer and the two bytes (section 8.5.6, "Writing to and Reading from
/// the INA219").
/// </summary>
public sealed class Ina219 : IDisposable
{
    /// <summary>Configuration register (section 8.6.2.1).</summary>
    public const byte ConfigurationRegister = 0x00;

    /// <summary>Shunt voltage register, LSB 10 µV, two's complement (section 8.6.3.1).</summary>
    public const byte ShuntVoltageRegister = 0x01;

    /// <summary>Bus voltage register: bits 15..3 the voltage at 4 mV per LSB, bit 1 CNVR, bit 0 OVF (section 8.6.3.2).</summary>
    public const byte BusVoltageRegister = 0x02;

    /// <summary>Power register, LSB = Power_LSB (section 8.6.3.3).</summary>
    public const byte PowerRegister = 0x03;

    /// <summary>Current register, LSB = Current_LSB, two's complement (section 8.6.3.4).</summary>
    public const byte CurrentRegister = 0x04;

    /// <summary>Calibration register (section 8.6.3.5); bit 0 is not used and reads 0.</summary>
    public const byte CalibrationRegister = 0x05;

    /// <summary>
    /// Configuration written at start: the power-on default (section 8.6.2.1, Table 4: BRNG = 32 V, PGA = /8
    /// for ±320 mV, 12-bit bus and shunt conversions, shunt and bus continuous).
    /// </summary>
    public const ushort DefaultConfiguration = 0x399F;

    /// <summary>Shunt voltage LSB: 10 µV (section 8.6.3.1).</summary>
    public const double ShuntVoltageLsb = 10e-6;

    /// <summary>Bus voltage LSB: 4 mV (section 8.6.3.2).</summary>
    public const double BusVoltageLsb = 4e-3;

    private readonly I2cDevice _device;
    private readonly bool _ownsDevice;

    /// <summary>Configures and calibrates the sensor.</summary>
    /// <param name="device">The I2C device at the sensor's address.</param>
    /// <param name="shuntOhms">Shunt resistor.</param>
    /// <param name="maxExpectedAmps">Largest current expected; sets Current_LSB.</param>
    /// <param name="ownsDevice">Dispose the device with the sensor.</param>
    /// <param name="where">Where the sensor sits, for messages (e.g. "I2C bus 1 address 0x40").</param>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public Ina219(I2cDevice device, double shuntOhms, double maxExpectedAmps, bool ownsDevice = false, string? where = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shuntOhms);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExpectedAmps);
        _device = device;
        _ownsDevice = ownsDevice;
        Where = where ?? $"I2C bus {device.ConnectionSettings.BusId} address 0x{device.ConnectionSettings.DeviceAddress:X2}";
        ShuntOhms = shuntOhms;
        CurrentLsb = CurrentLsbFor(maxExpectedAmps);
        PowerLsb = 20 * CurrentLsb;
        Calibration = CalibrationFor(CurrentLsb, shuntOhms);
        WriteRegister(ConfigurationRegister, DefaultConfiguration);
        WriteRegister(CalibrationRegister, Calibration);
    }

    /// <summary>Where the sensor sits, for messages.</summary>
    public string Where { get; }

    /// <summary>Shunt resistor in ohms.</summary>
    public double ShuntOhms { get; }

    /// <summary>Amperes per LSB of the current register.</summary>
    public double CurrentLsb { get; }

    /// <summary>Watts per LSB of the power register (20 × Current_LSB, section 8.5.1, equation 3).</summary>
    public double PowerLsb { get; }

    /// <summary>The calibration value written to register 0x05.</summary>
    public ushort Calibration { get; }

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

    /// <summary>Reads voltage, current and power.</summary>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public CurrentReading Read()
    {
        var bus = ReadRegister(BusVoltageRegister);
        var shunt = (short)ReadRegister(ShuntVoltageRegister);
        var current = (short)ReadRegister(CurrentRegister);
        var power = ReadRegister(PowerRegister);
        return new CurrentReading(
            BusVolts: (bus >> 3) * BusVoltageLsb,
            ShuntVolts: shunt * ShuntVoltageLsb,
            CurrentAmps: current * CurrentLsb,
            PowerWatts: power * PowerLsb,
            Overflow: (bus & 0x0001) != 0);
    }

    /// <summary>Reads one 16-bit register.</summary>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public ushort ReadRegister(byte register)
    {
        Span<byte> value = stackalloc byte[2];
        try
        {
            _device.WriteRead([register], value);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            throw new SensorException($"INA219 at {Where}: no answer reading register 0x{register:X2}: {ex.Message}", ex);
        }
        return BinaryPrimitives.ReadUInt16BigEndian(value);
    }

    /// <summary>Writes one 16-bit register.</summary>
    /// <exception cref="SensorException">The sensor does not answer.</exception>
    public void WriteRegister(byte register, ushort value)
    {
        Span<byte> bytes = [register, (byte)(value >> 8), (byte)value];
        try
        {
            _device.Write(bytes);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            throw new SensorException($"INA219 at {Where}: no answer writing register 0x{register:X2}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDevice) _device.Dispose();
    }
}

/// <summary>A sensor could not be read; the message names where it sits and why.</summary>
public sealed class SensorException(string message, Exception? inner = null) : Exception(message, inner);
