using System.Buffers.Binary;
using System.Device.I2c;

namespace HilRig.Core.Sensors;

/// <summary>
/// The INA219's simulated twin: an <see cref="I2cDevice"/> that answers like the chip. Set the load
/// (<see cref="BusVolts"/>, <see cref="LoadAmps"/>) and the registers hold what the real chip would compute
/// from it with the calibration it was given (TI SBOS448 section 8.5.1: Current = Shunt voltage register ×
/// Calibration / 4096, equation 4; Power = Current register × Bus voltage register / 5000, equation 5).
/// <see cref="Present"/> = false makes every transfer fail like a sensor that is not on the bus.
/// </summary>
public sealed class SimulatedIna219(I2cConnectionSettings settings, double shuntOhms) : I2cDevice
{
    private readonly Lock _gate = new();
    private readonly ushort[] _registers = [Ina219.DefaultConfiguration, 0, 0, 0, 0, 0];
    private byte _pointer;

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings { get; } = settings;

    /// <summary>Voltage on the load side.</summary>
    public double BusVolts { get; set; }

    /// <summary>Current through the shunt.</summary>
    public double LoadAmps { get; set; }

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
            if (buffer[0] > Ina219.CalibrationRegister)
            {
                throw new IOException($"register 0x{buffer[0]:X2} does not exist on an INA219");
            }
            _pointer = buffer[0];
            if (buffer.Length >= 3)
            {
                var value = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..3]);
                switch (_pointer)
                {
                    case Ina219.ConfigurationRegister:
                        // Bit 15 (RST) resets every register and reads back 0.
                        if ((value & 0x8000) != 0)
                        {
                            Array.Clear(_registers);
                            _registers[0] = Ina219.DefaultConfiguration;
                        }
                        else
                        {
                            _registers[0] = value;
                        }
                        break;
                    case Ina219.CalibrationRegister:
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
        var shunt = (short)Math.Clamp(Math.Round(LoadAmps * shuntOhms / Ina219.ShuntVoltageLsb), short.MinValue, short.MaxValue);
        var busCounts = (ushort)Math.Clamp(Math.Round(BusVolts / Ina219.BusVoltageLsb), 0, 8191);
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
