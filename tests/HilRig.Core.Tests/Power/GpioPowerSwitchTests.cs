using System.Device.Gpio;
using HilRig.Core.Power;
using HilRig.Core.Power.Gpio;
using Xunit;

namespace HilRig.Core.Tests.Power;

/// <summary>The GPIO switch on its simulated twin, active-low as on the usual relay boards.</summary>
public sealed class SimulatedGpioActiveLowContract : PowerSwitchContract
{
    private readonly SimulatedGpioDriver _driver = new();

    protected override IPowerSwitch CreateSwitch() => new GpioPowerSwitch("chip1", new GpioController(_driver), 27, activeLow: true);

    protected override bool HardwareSaysOn() => _driver.LevelOf(27) == PinValue.Low;
}

/// <summary>The GPIO switch on its simulated twin, active-high.</summary>
public sealed class SimulatedGpioActiveHighContract : PowerSwitchContract
{
    private readonly SimulatedGpioDriver _driver = new();

    protected override IPowerSwitch CreateSwitch() => new GpioPowerSwitch("chip1", new GpioController(_driver), 5, activeLow: false);

    protected override bool HardwareSaysOn() => _driver.LevelOf(5) == PinValue.High;
}

/// <summary>
/// The GPIO switch on a real Pi's gpiochip0, line HILRIG_GPIO_TEST_LINE (default 26), read back through the
/// line itself. Needs the hardware: HILRIG_HARDWARE=1 on a Pi with libgpiod.
/// </summary>
[Trait("requires", "hardware")]
public sealed class HardwareGpioContract : PowerSwitchContract
{
    private static readonly int Line = int.TryParse(Environment.GetEnvironmentVariable("HILRIG_GPIO_TEST_LINE"), out var l) ? l : 26;
    private GpioController? _controller;

    protected override IPowerSwitch CreateSwitch()
    {
        HardwareGate.Require("a GPIO line on gpiochip0");
        _controller = new GpioController(new System.Device.Gpio.Drivers.LibGpiodDriver(0));
        return new GpioPowerSwitch("chip1", _controller, Line, activeLow: true);
    }

    protected override bool HardwareSaysOn() => _controller!.Read(Line) == PinValue.Low;
}

public sealed class GpioPowerSwitchTests
{
    [Fact]
    public void The_line_is_an_output_at_the_off_level_from_the_moment_it_is_opened()
    {
        var driver = new SimulatedGpioDriver();
        using var s = new GpioPowerSwitch("module", new GpioController(driver), 17, activeLow: true);

        Assert.Equal(PinMode.Output, driver.ModeOf(17));
        // Active-low: off is high, and no low level was ever written before the rig asked for power.
        Assert.Equal(PinValue.High, driver.LevelOf(17));
        Assert.DoesNotContain(driver.Writes, w => w.Pin == 17 && w.Level == PinValue.Low);
    }

    [Fact]
    public async Task Dispose_drives_a_powered_line_off_and_releases_it()
    {
        var driver = new SimulatedGpioDriver();
        var s = new GpioPowerSwitch("chip2", new GpioController(driver), 22, activeLow: true);
        await s.OnAsync(TestContext.Current.CancellationToken);
        Assert.Equal(PinValue.Low, driver.LevelOf(22));

        s.Dispose();

        Assert.Equal(PinValue.High, driver.LevelOf(22));
        Assert.Null(driver.ModeOf(22));
    }

    [Fact]
    public void A_line_that_does_not_exist_is_one_message_naming_the_node_and_line()
    {
        var driver = new SimulatedGpioDriver(pinCount: 28);

        var ex = Assert.Throws<PowerSwitchException>(() => new GpioPowerSwitch("chip3", new GpioController(driver), 40, activeLow: true));

        Assert.StartsWith("chip3: cannot open GPIO line 40", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Skips hardware-only tests with a reason unless HILRIG_HARDWARE=1.</summary>
internal static class HardwareGate
{
    public static void Require(string what) =>
        Assert.SkipUnless(Environment.GetEnvironmentVariable("HILRIG_HARDWARE") == "1",
            $"needs {what} on the Pi bench: run with HILRIG_HARDWARE=1 there (hardware-only test, [Trait(\"requires\",\"hardware\")])");
}
