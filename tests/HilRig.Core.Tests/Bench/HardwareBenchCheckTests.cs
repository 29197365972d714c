using System.Device.Gpio;
using System.Device.I2c;
using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Power.Gpio;
using HilRig.Core.Sensors;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Bench;

/// <summary>
/// `wiring check` of wiring/pi-chain.yaml with every backend swapped for its simulated twin: the GPIO
/// lines on <see cref="SimulatedGpioDriver"/>, the INA219s as <see cref="SimulatedIna219"/>, the FTDI
/// adapters as by-id links to ptys. The same check code runs as on the Pi.
/// </summary>
public sealed class HardwareBenchCheckTests : IDisposable
{
    private readonly string _byId = Directory.CreateTempSubdirectory("hilrig-pibench-").FullName;
    private readonly List<Pty> _ptys = [];
    private readonly SimulatedGpioDriver _gpio = new();
    private readonly Dictionary<int, SimulatedIna219> _sensors = [];

    public void Dispose()
    {
        foreach (var p in _ptys) p.Dispose();
        Directory.Delete(_byId, recursive: true);
    }

    private static BenchWiring PiChain() =>
        WiringLoader.Load(Path.Combine(TestRepository.Root, "wiring", "pi-chain.yaml"));

    private HardwareBackends Simulated(BenchWiring bench, params string[] unplugged)
    {
        foreach (var link in bench.Links)
        {
            foreach (var path in new[] { link.NearDevicePath!, link.FarDevicePath! })
            {
                if (unplugged.Contains(Path.GetFileName(path))) continue;
                var pty = Pty.Create();
                _ptys.Add(pty);
                File.CreateSymbolicLink(Path.Combine(_byId, Path.GetFileName(path)), pty.SlavePath);
            }
        }
        return new HardwareBackends
        {
            OpenGpioChip = chip => chip == "gpiochip0" ? new GpioController(_gpio) : throw new IOException($"/dev/{chip} does not exist"),
            OpenI2c = (bus, address) => _sensors[address] = new SimulatedIna219(new I2cConnectionSettings(bus, address), 0.1) { BusVolts = 3.3, LoadAmps = 0.02 },
            SerialByIdDirectory = _byId,
        };
    }

    [Fact]
    public async Task Every_backend_of_the_pi_chain_answers_and_every_relay_is_left_off()
    {
        var bench = PiChain();

        var rows = await HardwareBenchCheck.RunAsync(bench, Simulated(bench), TestContext.Current.CancellationToken);

        Assert.All(rows, r => Assert.True(r.Ok, $"{r.Check}: {r.Detail}"));
        // 4 power lines, 4 sensors, 6 UART ends.
        Assert.Equal(14, rows.Count);
        foreach (var line in new[] { 17, 27, 22, 23 })
        {
            // Active-low relay board: off is high, and no line was ever driven low (on) by a check.
            Assert.Equal(PinValue.High, _gpio.LevelOf(line));
            Assert.DoesNotContain(_gpio.Writes, w => w.Pin == line && w.Level == PinValue.Low);
        }
        Assert.Contains(rows, r => r.Check == "sensor chip2 (INA219 bus 1 0x44)" && r.Detail.StartsWith("answers: 3.300 V, 20.0 mA", StringComparison.Ordinal));
        Assert.Equal(13420, _sensors[0x44].Register(SimulatedIna219.CalibrationRegister));
    }

    [Fact]
    public async Task An_unplugged_adapter_a_missing_sensor_and_a_wrong_gpio_chip_are_each_one_row_naming_them()
    {
        var bench = PiChain();
        var backends = Simulated(bench, "usb-FTDI_Quad_RS232-HS_HILRIG-B-if01-port0");
        var broken = new HardwareBackends
        {
            OpenGpioChip = backends.OpenGpioChip,
            OpenI2c = (bus, address) => address == 0x45
                ? new SimulatedIna219(new I2cConnectionSettings(bus, address), 0.1) { Present = false }
                : backends.OpenI2c(bus, address),
            SerialByIdDirectory = backends.SerialByIdDirectory,
        };
        var rewired = bench with
        {
            Chips = bench.Chips.Select(c => c.Name == "chip1" ? c with { Power = new GpioPower("gpiochip4", 27, true) } : c).ToList(),
        };

        var rows = await HardwareBenchCheck.RunAsync(rewired, broken, TestContext.Current.CancellationToken);

        var failed = rows.Where(r => !r.Ok).ToDictionary(r => r.Check, r => r.Detail);
        Assert.Equal(3, failed.Count);
        Assert.StartsWith("chip1: cannot open GPIO chip /dev/gpiochip4", failed["power chip1 (gpiochip4 line 27, active low)"], StringComparison.Ordinal);
        Assert.StartsWith("INA219 at I2C bus 1 address 0x45 (chip3): no answer", failed["sensor chip3 (INA219 bus 1 0x45)"], StringComparison.Ordinal);
        Assert.StartsWith("serial adapter usb-FTDI_Quad_RS232-HS_HILRIG-B-if01-port0 is not plugged in", failed["uart chip2 -> chip3 (far)"], StringComparison.Ordinal);
    }
}
