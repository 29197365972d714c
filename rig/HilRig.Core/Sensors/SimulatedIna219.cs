using System.Buffers.Binary;
using System.Device.I2c;

namespace HilRig.Core.Sensors;

/// <summary>
/// The INA219's simulated twin: an <see cref="I2cDevice"/> that answers like the chip, so the dotnet/iot binding
/// (<c>Iot.Device.Adc.Ina219</c>) reads it as it reads a real one. Registers are 16 bits, big-endian; a read writes
/// the register pointer, then reads two bytes; a write sends the pointer and the two bytes (TI SBOS448 "INA219
/// Zerø-Drift, Bidirectional Current/Power Monitor With I2C Interface", revision G, section 8.5.6). Set the load
/// (<see cref="BusVolts"/>, <see cref="LoadAmps"/>, or <see cref="MeasuredAmps"/> to feed it from the node it
/// measures) and the registers hold what the real chip computes from it with the calibration it was given
/// (section 8.5.1: Current = Shunt voltage register × Calibration / 4096, equation 4; Power = Current register ×
/// Bus voltage register / 5000, equation 5). <see cref="Present"/> = false makes every transfer fail like a sensor
/// that is not on the bus.
/// </summary>
public sealed class SimulatedIna219(I2cConnectionSettings settings, double shuntOhms) : I2cDevice
{
    /// <summary>Configuration register (section 8.6.2.1).</summary>
    public const byte ConfigurationRegister = 0x00;

    /// <summary>Shunt voltage register, LSB 10 µV, two's complement (section 8.6.3.1).</summary>
    public const byte ShuntVoltageRegister = 0x01;

    /// <summary>Bus voltage register: bits 15..3 the voltage at 4 mV per LSB, bit 1 CNVR, bit 0 OVF (section 8.6.3.2).</summary>
    public const byte BusVoltageRegister = 0x02;

    /// <summary>Power register, LSB = 20 × Current_LSB (section 8.6.3.3).</summary>
    public const byte PowerRegister = 0x03;

    /// <summary>Current register, LSB = Current_LSB, two's complement (section 8.6.3.4).</summary>
    public const byte CurrentRegister = 0x04;

    /// <summary>Calibration register (section 8.6.3.5); bit 0 is not used and reads 0.</summary>
    public const byte CalibrationRegister = 0x05;

    /// <summary>
    /// The power-on configuration (section 8.6.2.1, Table 4: BRNG = 32 V, PGA = /8 for ±320 mV, 12-bit bus and
    /// shunt conversions, shunt and bus continuous).
    /// </summary>
    public const ushort DefaultConfiguration = 0x399F;

    /// <summary>
    /// The INA219 an emulated node is measured with: 0.1 ohm shunt and a 0.4096 A range, so Current_LSB is 12.5 µA
    /// and Cal = trunc(0.04096 / (12.5e-6 × 0.1)) = 32768, making one count of the shunt register (10 µV / 0.1 ohm =
    /// 100 µA) exactly 8 LSB of the current register: the node's draw reads back to the 0.1 mA, with no rounding.
    /// </summary>
    public static Ina219Calibration NodeCalibration { get; } = Ina219Calibration.For(0.1, 0.4096);

    /// <summary>
    /// A twin on an emulated node's 3.3 V supply, fed by the node's simulated draw, read through the dotnet/iot
    /// binding like a wired INA219 (<see cref="NodeCalibration"/>).
    /// </summary>
    /// <param name="node">The node measured.</param>
    /// <param name="milliamps">The node's draw now.</param>
    /// <param name="deadBelowMilliamps">Below this a powered node counts as dead.</param>
    public static Ina219CurrentSensor OnNode(string node, Func<double> milliamps, double deadBelowMilliamps)
    {
        var twin = new SimulatedIna219(new I2cConnectionSettings(1, 0x40), NodeCalibration.ShuntOhms) { BusVolts = 3.3, MeasuredAmps = () => milliamps() / 1000 };
        return new Ina219CurrentSensor(node, twin, NodeCalibration, deadBelowMilliamps, ownsDevice: true, where: $"I2C bus 1 address 0x40 (simulated, {node})");
    }

    private readonly Lock _gate = new();
    private readonly ushort[] _registers = [DefaultConfiguration, 0, 0, 0, 0, 0];
    private byte _pointer;

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings { get; } = settings;

    /// <summary>Voltage on the load side.</summary>
    public double BusVolts { get; set; }

    /// <summary>Current through the shunt.</summary>
    public double LoadAmps { get; set; }

    /// <summary>When set, the current through the shunt at each conversion (the simulated node's draw); overrides <see cref="LoadAmps"/>.</summary>
    public Func<double>? MeasuredAmps { get; set; }

    /// <summary>False: the sensor is missing; transfers fail with an I/O error.</summary>
    public bool Present { get; set; } = true;

    /// <summary>The value a register holds now.</summary>
    public ushort Register(byte register)
    {
        lock (_gate)
        {
            Refresh();
            return _registers[register];
        }
    }

    /// <inheritdoc />
    public override byte ReadByte() => throw new NotSupportedException("the INA219 is read 16 bits at a time");

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            CheckPresent();
            Refresh();
            Span<byte> value = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(value, _registers[_pointer]);
            for (var i = 0; i < buffer.Length; i++) buffer[i] = value[i % 2];
        }
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            CheckPresent();
            if (buffer.Length == 0) return;
            if (buffer[0] > CalibrationRegister)
            {
                throw new IOException($"register 0x{buffer[0]:X2} does not exist on an INA219");
            }
            _pointer = buffer[0];
            if (buffer.Length >= 3)
            {
                var value = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..3]);
                switch (_pointer)
                {
                    case ConfigurationRegister:
                        // Bit 15 (RST) resets every register and reads back 0.
                        if ((value & 0x8000) != 0)
                        {
                            Array.Clear(_registers);
                            _registers[0] = DefaultConfiguration;
                        }
                        else
                        {
                            _registers[0] = value;
                        }
                        break;
                    case CalibrationRegister:
                        _registers[5] = (ushort)(value & 0xFFFE);
                        break;
                    default:
                        throw new IOException($"register 0x{_pointer:X2} is read-only");
                }
            }
        }
    }

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void CheckPresent()
    {
        if (!Present)
        {
            throw new IOException("Remote I/O error (no device answered at this address)");
        }
    }

    private void Refresh()
    {
        // The shunt ADC saturates at the PGA's range: ±40 mV × gain, i.e. ±4000 counts of 10 µV × 1, 2, 4, 8 (PG bits
        // 12..11, section 8.6.2.1, Table 7).
        var shuntFullScale = 4000 << ((_registers[ConfigurationRegister] >> 11) & 0x3);
        var amps = MeasuredAmps?.Invoke() ?? LoadAmps;
        var shunt = (short)Math.Clamp(Math.Round(amps * shuntOhms / 10e-6), -shuntFullScale, shuntFullScale);
        var busCounts = (ushort)Math.Clamp(Math.Round(BusVolts / 4e-3), 0, 8191);
        var calibration = _registers[5];
        var current = (long)shunt * calibration / 4096;
        var overflow = current is > short.MaxValue or < short.MinValue;
        // CNVR (bit 1) is set: a conversion is always complete in the twin.
        _registers[1] = (ushort)shunt;
        _registers[2] = (ushort)((busCounts << 3) | 0x0002 | (overflow ? 1 : 0));
        _registers[4] = calibration == 0 || overflow ? (ushort)0 : (ushort)(short)current;
        _registers[3] = calibration == 0 || overflow ? (ushort)0 : (ushort)Math.Min(ushort.MaxValue, Math.Abs(current) * busCounts / 5000);
    }
}
