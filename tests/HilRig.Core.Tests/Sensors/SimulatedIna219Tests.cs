using System.Device.I2c;
using HilRig.Core.Sensors;
using Xunit;

namespace HilRig.Core.Tests.Sensors;

/// <summary>
/// The twin's registers as the datasheet computes them (TI SBOS448 rev. G, section 8.5.1: Current = Shunt × Cal / 4096,
/// equation 4; Power = Current × Bus / 5000, equation 5), checked byte by byte on the bus, without the binding.
/// </summary>
public sealed class SimulatedIna219Tests
{
    private static SimulatedIna219 Twin(double volts = 0, double amps = 0) =>
        new(new I2cConnectionSettings(1, 0x40), 0.1) { BusVolts = volts, LoadAmps = amps };

    private static byte[] ReadBytes(I2cDevice device, byte register)
    {
        var value = new byte[2];
        device.Write([register]);
        device.Read(value);
        return value;
    }

    private static void WriteRegister(I2cDevice device, byte register, ushort value) =>
        device.Write([register, (byte)(value >> 8), (byte)value]);

    [Fact]
    public void Registers_hold_the_datasheet_arithmetic_for_a_known_load()
    {
        // 0.1 ohm shunt, 1 A range: Cal = 13420 (0x346C). Load 0.25 A at 5 V.
        var twin = Twin(5.0, 0.25);
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 13420);

        // Shunt: 0.25 A × 0.1 ohm = 25 mV = 2500 × 10 µV = 0x09C4.
        Assert.Equal(new byte[] { 0x09, 0xC4 }, ReadBytes(twin, SimulatedIna219.ShuntVoltageRegister));
        // Bus: 5 V / 4 mV = 1250 = 0x4E2, shifted left 3 = 0x2710, CNVR (bit 1) set = 0x2712.
        Assert.Equal(new byte[] { 0x27, 0x12 }, ReadBytes(twin, SimulatedIna219.BusVoltageRegister));
        // Current: 2500 × 13420 / 4096 = 8190.9, truncated 8190 = 0x1FFE.
        Assert.Equal(new byte[] { 0x1F, 0xFE }, ReadBytes(twin, SimulatedIna219.CurrentRegister));
        // Power: 8190 × 1250 / 5000 = 2047.5, truncated 2047 = 0x07FF.
        Assert.Equal(new byte[] { 0x07, 0xFF }, ReadBytes(twin, SimulatedIna219.PowerRegister));
        Assert.Equal(new byte[] { 0x34, 0x6C }, ReadBytes(twin, SimulatedIna219.CalibrationRegister));
    }

    [Fact]
    public void Calibration_scales_current_and_power_and_none_leaves_them_zero()
    {
        var twin = Twin(5.0, 0.25);
        Assert.Equal(0, twin.Register(SimulatedIna219.CurrentRegister));
        Assert.Equal(0, twin.Register(SimulatedIna219.PowerRegister));

        // Cal = 4096: Current = Shunt × 4096 / 4096 = 2500; Power = 2500 × 1250 / 5000 = 625.
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 4096);
        Assert.Equal(2500, twin.Register(SimulatedIna219.CurrentRegister));
        Assert.Equal(625, twin.Register(SimulatedIna219.PowerRegister));

        // Cal = 8192 doubles both: 5000 and 5000 × 1250 / 5000 = 1250.
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 8192);
        Assert.Equal(5000, twin.Register(SimulatedIna219.CurrentRegister));
        Assert.Equal(1250, twin.Register(SimulatedIna219.PowerRegister));
    }

    [Fact]
    public void A_negative_load_is_twos_complement_and_power_stays_positive()
    {
        var twin = Twin(12.0, -0.5);
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 13420);

        // Shunt: -0.05 V = -5000 counts = 0xEC78. Current: -5000 × 13420 / 4096 = -16381.8 → -16381 = 0xC003.
        Assert.Equal(0xEC78, twin.Register(SimulatedIna219.ShuntVoltageRegister));
        Assert.Equal(0xC003, twin.Register(SimulatedIna219.CurrentRegister));
        // Power: 16381 × 3000 / 5000 = 9828.6 → 9828.
        Assert.Equal(9828, twin.Register(SimulatedIna219.PowerRegister));
    }

    [Fact]
    public void Current_math_beyond_16_bits_sets_ovf_and_the_shunt_saturates_at_the_pga_range()
    {
        var twin = Twin(5.0, 3.0);
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 13420);

        // 3 A × 0.1 ohm = 300 mV = 30000 counts, within ±320 mV; 30000 × 13420 / 4096 = 98291 > 32767: OVF (bit 0).
        Assert.Equal(30000, twin.Register(SimulatedIna219.ShuntVoltageRegister));
        Assert.Equal(1, twin.Register(SimulatedIna219.BusVoltageRegister) & 1);
        Assert.Equal(0, twin.Register(SimulatedIna219.CurrentRegister));

        // PGA /1 (bits 12..11 = 00): ±40 mV, so 300 mV reads as 4000 counts.
        WriteRegister(twin, SimulatedIna219.ConfigurationRegister, (ushort)(SimulatedIna219.DefaultConfiguration & ~0x1800));
        Assert.Equal(4000, twin.Register(SimulatedIna219.ShuntVoltageRegister));
    }

    [Fact]
    public void The_pointer_stays_until_written_and_a_reset_restores_the_power_on_registers()
    {
        var twin = Twin(3.3, 0.02);
        WriteRegister(twin, SimulatedIna219.CalibrationRegister, 13420);
        var value = new byte[2];
        twin.Read(value);
        Assert.Equal(new byte[] { 0x34, 0x6C }, value);

        WriteRegister(twin, SimulatedIna219.ConfigurationRegister, 0x8000);

        Assert.Equal(SimulatedIna219.DefaultConfiguration, twin.Register(SimulatedIna219.ConfigurationRegister));
        Assert.Equal(0, twin.Register(SimulatedIna219.CalibrationRegister));
        Assert.Throws<IOException>(() => WriteRegister(twin, SimulatedIna219.CurrentRegister, 1));
        Assert.Throws<IOException>(() => twin.Write([0x06]));
    }

    [Fact]
    public void A_measured_node_feeds_every_conversion()
    {
        var milliamps = 20.0;
        var twin = Twin(3.3);
        twin.MeasuredAmps = () => milliamps / 1000;

        // 20 mA × 0.1 ohm = 2 mV = 200 counts; then 1.5 mA = 0.15 mV = 15 counts.
        Assert.Equal(200, twin.Register(SimulatedIna219.ShuntVoltageRegister));
        milliamps = 1.5;
        Assert.Equal(15, twin.Register(SimulatedIna219.ShuntVoltageRegister));
    }
}

/// <summary>The twin on an emulated node's supply, read through the dotnet/iot binding.</summary>
public sealed class SimulatedNodeSensorTests
{
    [Theory]
    [InlineData(20.0)]
    [InlineData(1.5)]
    [InlineData(0.0)]
    public async Task A_node_draw_reads_back_exactly_to_the_tenth_of_a_milliamp(double milliamps)
    {
        using var sensor = SimulatedIna219.OnNode("chip2", () => milliamps, 0.5);

        // Cal = 32768 for 0.1 ohm and 0.4096 A: 20 mA = 200 shunt counts, × 32768 / 4096 = 1600 × 12.5 µA = 20 mA.
        Assert.Equal(32768, SimulatedIna219.NodeCalibration.Value);
        Assert.Equal(milliamps, await sensor.ReadMilliampsAsync(TestContext.Current.CancellationToken), 6);
        Assert.Equal("chip2", sensor.Node);
    }
}
