using System.Device.I2c;
using HilRig.Core.Bench;
using HilRig.Core.Sensors;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Bench;

/// <summary>The current sensors a hardware bench reads, built from their wiring entries, each on its twin.</summary>
public sealed class HardwareBackendsTests
{
    [Fact]
    public async Task An_Ina219_Reads_The_Nodes_Current_In_Milliamps_With_The_Wired_Dead_Threshold()
    {
        var backends = new HardwareBackends
        {
            OpenI2c = (bus, address) => new SimulatedIna219(new I2cConnectionSettings(bus, address), 0.1) { BusVolts = 3.3, LoadAmps = 0.0015 },
        };
        var wiring = new SensorWiring(SensorKind.Ina219, 1, 0x44, 0.1, 1.0) { DeadBelowMilliamps = 0.3 };

        var sensor = backends.CreateCurrentSensor("chip2", wiring);

        // 1.5 mA through 0.1 ohm at Current_LSB 30.5 uA (docs/wiring.md): within one LSB.
        Assert.InRange(await sensor.ReadMilliampsAsync(TestContext.Current.CancellationToken), 1.5 - 0.031, 1.5 + 0.031);
        Assert.Equal(0.3, sensor.DeadBelowMilliamps);
        (sensor as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task A_Command_Sensor_Reads_The_First_Line_And_Names_The_Node_When_It_Is_Not_A_Number()
    {
        var backends = new HardwareBackends();
        var good = backends.CreateCurrentSensor("chip1", new SensorWiring(SensorKind.Command, 0, 0, 0, 0) { ReadCommand = "printf '12.5\\nsecond line\\n'" });
        var bad = backends.CreateCurrentSensor("chip1", new SensorWiring(SensorKind.Command, 0, 0, 0, 0) { ReadCommand = "echo twelve" });

        Assert.Equal(12.5, await good.ReadMilliampsAsync(TestContext.Current.CancellationToken));
        var error = await Assert.ThrowsAsync<SensorException>(() => bad.ReadMilliampsAsync(TestContext.Current.CancellationToken));
        Assert.Equal("current of chip1: `echo twelve` printed 'twelve', not a number of milliamps", error.Message);
    }
}
