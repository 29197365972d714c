using System.Device.I2c;
using HilRig.Core.Sensors;
using Xunit;

namespace HilRig.Core.Tests.Sensors;

/// <summary>The dotnet/iot binding (Iot.Device.Adc.Ina219) reading the twin, and the rig's sensor around it.</summary>
public sealed class Ina219CurrentSensorTests
{
    private static SimulatedIna219 Twin(double volts = 0, double amps = 0) =>
        new(new I2cConnectionSettings(1, 0x40), 0.1) { BusVolts = volts, LoadAmps = amps };

    [Fact]
    public void The_binding_reads_current_bus_voltage_and_power_from_the_twin()
    {
        var twin = Twin(5.0, 0.25);
        using var ina = new Iot.Device.Adc.Ina219(twin);
        ina.Reset();
        var calibration = Ina219Calibration.For(0.1, 1.0);
        ina.SetCalibration(calibration.Value, (float)calibration.CurrentLsb);

        // Registers as in SimulatedIna219Tests: current 8190, bus 1250 counts, power 2047.
        // Current: 8190 × 1/32768 A = 0.24994 A; bus: 1250 × 4 mV = 5 V; power: 2047 × 20/32768 W = 1.24939 W.
        Assert.Equal(8190.0 / 32768, ina.ReadCurrent().Amperes, 6);
        Assert.Equal(5.0, ina.ReadBusVoltage().Volts, 6);
        Assert.Equal(2047 * 20.0 / 32768, (double)ina.ReadPower().Watts, 6);
        Assert.Equal(0.025, ina.ReadShuntVoltage().Volts, 6);
    }

    [Fact]
    public void A_missing_sensor_is_one_message_naming_bus_and_address()
    {
        var twin = new SimulatedIna219(new I2cConnectionSettings(1, 0x44), 0.1) { Present = false };

        var ex = Assert.Throws<SensorException>(() => new Ina219CurrentSensor("chip2", twin, Ina219Calibration.For(0.1, 1.0), 0.5));

        Assert.StartsWith("INA219 at I2C bus 1 address 0x44: no answer to reset (configuration register 0x00)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sensor_that_goes_away_is_one_message_naming_where_it_was()
    {
        var twin = Twin(3.3, 0.02);
        using var ina = new Ina219CurrentSensor("chip2", twin, Ina219Calibration.For(0.1, 1.0), 0.5, where: "I2C bus 1 address 0x40 (chip2)");
        twin.Present = false;

        var ex = Assert.Throws<SensorException>(ina.Read);

        Assert.StartsWith("INA219 at I2C bus 1 address 0x40 (chip2): no answer to a measurement", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_current_beyond_the_range_sets_overflow_and_is_refused_as_a_reading()
    {
        var twin = Twin(5, 3.0);
        using var ina = new Ina219CurrentSensor("chip2", twin, Ina219Calibration.For(0.1, 1.0), 0.5);

        Assert.True(ina.Read().Overflow);
        var ex = await Assert.ThrowsAsync<SensorException>(() => ina.ReadMilliampsAsync(TestContext.Current.CancellationToken));
        Assert.Equal("INA219 of chip2: the reading overflowed (current beyond the calibrated range)", ex.Message);
    }

    [Fact]
    public void Opening_writes_the_calibration_and_the_power_on_configuration()
    {
        var twin = Twin();
        using var ina = new Ina219CurrentSensor("chip1", twin, Ina219Calibration.For(0.1, 1.0), 0.5);

        // 13420 = 0x346C: the calibration register holds it as the chip would.
        Assert.Equal(0x346C, twin.Register(SimulatedIna219.CalibrationRegister));
        Assert.Equal(SimulatedIna219.DefaultConfiguration, twin.Register(SimulatedIna219.ConfigurationRegister));
    }

    [Fact]
    public void Another_chip_at_the_address_is_not_taken_for_an_ina219()
    {
        using var ina = new Ina219CurrentSensor("chip1", new ZerosDevice(), Ina219Calibration.For(0.1, 1.0), 0.5);

        var (isDefault, description) = ina.ReadConfiguration();

        // Configuration 0x0000: BRNG 16 V, PGA /1 (±40 mV), mode 000 (power-down), not the reset value 0x399F.
        Assert.False(isDefault);
        Assert.Equal("Range16v, PlusOrMinus40mv, PowerDown", description);
    }

    /// <summary>A chip that takes every write and reads back zeros (an EEPROM, say, at the sensor's address).</summary>
    private sealed class ZerosDevice : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x40);

        public override byte ReadByte() => 0;

        public override void Read(Span<byte> buffer) => buffer.Clear();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
        }

        public override void WriteByte(byte value)
        {
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => readBuffer.Clear();
    }

    [Theory]
    [InlineData(1.0, 0.1, 13421)]
    [InlineData(3.2, 0.1, 4194)]
    [InlineData(0.4, 0.1, 33554)]
    public void Calibration_follows_equation_1(double maxAmps, double shunt, int truncated)
    {
        var cal = Ina219Calibration.CalibrationFor(Ina219Calibration.CurrentLsbFor(maxAmps), shunt);

        Assert.Equal(truncated & 0xFFFE, cal);
    }

    [Fact]
    public void A_calibration_the_register_cannot_hold_names_the_setting()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ina219Calibration.For(0.001, 0.01));

        Assert.Contains("pick another max_current_a", ex.Message, StringComparison.Ordinal);
    }
}
