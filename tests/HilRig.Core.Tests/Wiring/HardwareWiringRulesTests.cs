using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

/// <summary>The rules of a hardware bench's own keys: the rig as module, factory programming, command sensors, device paths.</summary>
public sealed class HardwareWiringRulesTests
{
    // Lines: 1 bench  2 kind  3 module  4 chips  5-9 chip1  10-12 chip2  13 links  14-18 link 1  19-24 link 2
    private const string RigModuleChain = """
        bench: test-bench
        kind: hardware
        module: { kind: rig }
        chips:
          - name: chip1
            model_id: 0x11
            power: { kind: command, on: 'on 1', off: 'off 1' }
            sensor: { kind: command, read: 'current 1', dead_below_ma: 0.2 }
            program: 'flash {image} {name} {model_id}'
          - name: chip2
            model_id: 0x12
            power: { kind: command, on: 'on 2', off: 'off 2' }
        links:
          - from: module
            to: chip1
            baud: 115200
            rig: relay
            far: ./serial/by-id/chip1-far
          - from: chip1
            to: chip2
            baud: 115200
            rig: relay
            near: /dev/serial/by-id/chip2-near
            far: /dev/serial/by-id/chip2-far
        """;

    private static string With(string from, string to) => RigModuleChain.Replace(from, to, StringComparison.Ordinal);

    private static readonly WiringLoadOptions NoFileChecks = new() { CheckFilesExist = false };

    private static string WithImage(string yaml) =>
        yaml.Replace("    model_id: 0x11\n", "    model_id: 0x11\n    factory_image: chip1.hrim\n", StringComparison.Ordinal);

    [Fact]
    public void Parse_Reads_The_Rig_As_Module_Programming_Command_Sensors_And_Relative_Paths()
    {
        var bench = WiringLoader.Parse(WithImage(RigModuleChain), WiringAssert.SourcePath, NoFileChecks);

        Assert.Equal(ModuleKind.Rig, bench.Module.Kind);
        var chip1 = bench.Chip("chip1");
        Assert.Equal("flash {image} {name} {model_id}", chip1.Program);
        Assert.Equal(SensorKind.Command, chip1.Sensor!.Kind);
        Assert.Equal("current 1", chip1.Sensor.ReadCommand);
        Assert.Equal(0.2, chip1.Sensor.DeadBelowMilliamps);
        Assert.Null(bench.Links[0].NearDevicePath);
        Assert.Equal(Path.GetFullPath("wiring/serial/by-id/chip1-far"), bench.Links[0].FarDevicePath);
    }

    [Fact]
    public void Parse_Refuses_The_Rig_As_Module_On_A_Virtual_Bench()
    {
        var exception = WiringAssert.Fails(With("kind: hardware", "kind: virtual"), NoFileChecks);
        Assert.Contains("wiring/test.yaml:3:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("module kind 'rig' (the rig speaks the module's chain side) applies to hardware benches", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Refuses_Power_For_The_Rig_As_Module()
    {
        WiringAssert.HasError(With("module: { kind: rig }", "module: { kind: rig, power: { kind: command, on: a, off: b } }"), 3, 29,
            "'power' belongs to a module of the device; with kind: rig the rig itself is the module and has none");
    }

    [Fact]
    public void Parse_Refuses_A_Near_Uart_And_A_Tap_On_The_Rig_Modules_Link()
    {
        WiringAssert.HasError(With("    far: ./serial/by-id/chip1-far\n", "    near: /dev/serial/by-id/x\n    far: ./serial/by-id/chip1-far\n"), 18, 11,
            "with module kind 'rig' the rig itself is the module: the first link has no 'near' UART");
        WiringAssert.HasError(With("    rig: relay\n    far: ./serial", "    rig: tap\n    far: ./serial"), 17, 10,
            "its link to 'chip1' must be rig: relay, not tap");
    }

    [Fact]
    public void Parse_Refuses_Programming_Without_A_Factory_Image_Or_On_A_Virtual_Bench()
    {
        WiringAssert.HasError(RigModuleChain, 9, 14, "chip 'chip1': 'program' writes the chip's factory image, but this chip has no 'factory_image'");
    }

    [Fact]
    public void Parse_Refuses_A_Relative_Device_Path_That_Is_Not_Marked_Relative()
    {
        WiringAssert.HasError(With("far: ./serial/by-id/chip1-far", "far: serial/by-id/chip1-far"), 18, 10,
            "'far' must be a device path such as /dev/serial/by-id/... (or ./..., relative to the wiring file), got 'serial/by-id/chip1-far'");
    }

    [Fact]
    public void Parse_Refuses_A_Command_Sensor_Without_Its_Read_Command()
    {
        WiringAssert.HasError(With("{ kind: command, read: 'current 1', dead_below_ma: 0.2 }", "{ kind: command }"), 8, 13,
            "chip 'chip1': sensor: missing required key 'read'");
    }

    [Fact]
    public void Parse_Reads_A_Debug_Uart_On_Hardware_And_Refuses_It_On_A_Virtual_Bench()
    {
        var yaml = WithImage(RigModuleChain).Replace("    model_id: 0x12\n", "    model_id: 0x12\n    log: ./serial/by-id/chip2-log\n", StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath("wiring/serial/by-id/chip2-log"), WiringLoader.Parse(yaml, WiringAssert.SourcePath, NoFileChecks).Chip("chip2").LogDevicePath);

        var exception = WiringAssert.Fails(yaml.Replace("kind: hardware", "kind: virtual", StringComparison.Ordinal), NoFileChecks);
        Assert.Contains("chip 'chip2': 'log' is a board's debug UART and only applies to hardware benches", exception.Message, StringComparison.Ordinal);
    }
}
