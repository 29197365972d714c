using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.I2c;
using System.IO.Ports;
using HilRig.Core.Links;
using HilRig.Core.Power;
using HilRig.Core.Power.Gpio;
using HilRig.Core.Sensors;
using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>
/// Where a hardware bench's backends come from: GPIO chips, I2C buses, serial ports. The defaults open
/// the real devices (libgpiod, /dev/i2c-N, /dev/serial/by-id); tests and the simulated benches swap in
/// <see cref="SimulatedGpioDriver"/>, <see cref="SimulatedIna219"/> and ptys, so the same backend code runs.
/// </summary>
public sealed class HardwareBackends
{
    private readonly Dictionary<string, GpioController> _controllers = new(StringComparer.Ordinal);

    /// <summary>Opens a GPIO chip by name (<c>gpiochip0</c>).</summary>
    public Func<string, GpioController> OpenGpioChip { get; init; } = chip => new GpioController(new LibGpiodDriver(ChipNumber(chip)));

    /// <summary>Opens the I2C device at (bus, address).</summary>
    public Func<int, int, I2cDevice> OpenI2c { get; init; } = (bus, address) => I2cDevice.Create(new I2cConnectionSettings(bus, address));

    /// <summary>Directory of the stable serial adapter names.</summary>
    public string SerialByIdDirectory { get; init; } = SerialDevicePaths.ByIdDirectory;

    /// <summary>Opens a serial device (already resolved) at a baud rate; disposing closes it.</summary>
    public Func<string, int, IDisposable> OpenSerial { get; init; } = (path, baud) =>
    {
        var port = new SerialPort(path, baud, Parity.None, 8, StopBits.One);
        port.Open();
        return port;
    };

    /// <summary>
    /// The power switch of one node. GPIO lines are opened already driven off and registered with
    /// <paramref name="safety"/>; a virtual power entry has no hardware backend.
    /// </summary>
    /// <exception cref="PowerSwitchException">The backend cannot be opened; the message names the node.</exception>
    public IPowerSwitch CreatePowerSwitch(string node, PowerWiring power, PowerSafety? safety, string? workingDirectory = null)
    {
        IPowerSwitch created = power switch
        {
            GpioPower gpio => new GpioPowerSwitch(node, Controller(node, gpio.Chip), gpio.Line, gpio.ActiveLow),
            CommandPower command => new CommandPowerSwitch(node, command.On, command.Off, command.Status, workingDirectory),
            _ => throw new PowerSwitchException($"{node}: power kind '{power.KindName}' has no hardware backend (it belongs on a virtual bench)"),
        };
        if (created is IPowerStatus status) safety?.Register(status);
        return created;
    }

    /// <summary>
    /// One node's current sensor, whatever its kind: an INA219 is opened, configured and calibrated; a command
    /// sensor runs its command (in <paramref name="workingDirectory"/>) at each reading.
    /// </summary>
    /// <exception cref="SensorException">An INA219 cannot be opened or does not answer.</exception>
    public ICurrentSensor CreateCurrentSensor(string node, SensorWiring sensor, string? workingDirectory = null) => sensor.Kind switch
    {
        SensorKind.Command => new CommandCurrentSensor(node, sensor.ReadCommand ?? "", sensor.DeadBelowMilliamps, workingDirectory),
        _ => CreateSensor(node, sensor),
    };

    /// <summary>Opens, resets and calibrates one node's INA219 (through the dotnet/iot binding).</summary>
    /// <exception cref="SensorException">The sensor cannot be opened or does not answer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The shunt and range give a calibration the chip cannot hold.</exception>
    public Ina219CurrentSensor CreateSensor(string node, SensorWiring sensor)
    {
        var calibration = Ina219Calibration.For(sensor.ShuntOhms, sensor.MaxCurrentAmps);
        var where = $"I2C bus {sensor.Bus} address 0x{sensor.Address:X2} ({node})";
        I2cDevice device;
        try
        {
            device = OpenI2c(sensor.Bus, sensor.Address);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new SensorException($"INA219 at {where}: cannot open /dev/i2c-{sensor.Bus}: {ex.Message}", ex);
        }
        try
        {
            return new Ina219CurrentSensor(node, device, calibration, sensor.DeadBelowMilliamps, ownsDevice: true, where);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Releases the GPIO chips this instance opened.</summary>
    public void CloseGpioChips()
    {
        foreach (var c in _controllers.Values) c.Dispose();
        _controllers.Clear();
    }

    /// <summary>The number in a GPIO chip name (<c>gpiochip4</c> → 4).</summary>
    /// <exception cref="ArgumentException">The name is not gpiochipN.</exception>
    public static int ChipNumber(string chip) =>
        chip.StartsWith("gpiochip", StringComparison.Ordinal) && int.TryParse(chip.AsSpan(8), System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"GPIO chip '{chip}' is not named gpiochipN", nameof(chip));

    private GpioController Controller(string node, string chip)
    {
        if (_controllers.TryGetValue(chip, out var controller)) return controller;
        try
        {
            controller = OpenGpioChip(chip);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new PowerSwitchException($"{node}: cannot open GPIO chip /dev/{chip}: {ex.Message}", ex);
        }
        _controllers[chip] = controller;
        return controller;
    }
}
