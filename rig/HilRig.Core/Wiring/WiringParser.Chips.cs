using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

/// <summary>Chips and the parts of a node: flash, power, sensor.</summary>
internal sealed partial class WiringParser
{
    private static readonly string[] ChipKeys = ["name", "model_id", "flash", "factory_image", "command", "build", "power", "sensor", "operating", "program", "log"];
    private static readonly string[] FlashKeys = ["sector_size", "slot_size"];
    private static readonly string[] PowerKinds = ["virtual", "gpio", "command"];
    private static readonly string[] SensorKeys = ["kind", "bus", "address", "shunt_ohms", "max_current_a", "read", "dead_below_ma"];
    private static readonly string[] SensorKinds = ["ina219", "command"];

    /// <summary>Smallest flash sector the emulated flash and the memory mark layout accept.</summary>
    private const int MinSectorSizeBytes = 256;

    private void ParseChip(YamlNode node, int number)
    {
        var map = YamlMap.From(node, $"chip {number}: ", "must be a mapping with keys name, model_id, power (and optional flash, factory_image, command, build, sensor, operating)", errors);
        if (map is null)
        {
            return;
        }

        var name = map.String("name", required: true);
        if (name is not null)
        {
            map.Context = $"chip '{name}': ";
            if (name == ModuleWiring.Name)
            {
                map.Error(map.Get("name")!, "'module' is the comm module's node name; a chip needs another name");
            }
            else if (!ChipNamePattern().IsMatch(name))
            {
                map.Error(map.Get("name")!, $"chip name '{name}' must start with a lower-case letter and use only lower-case letters, digits and '-'");
            }
        }

        map.RejectUnknownKeys(ChipKeys);
        var modelId = map.Integer("model_id", ChipWiring.MinModelId, ChipWiring.MaxModelId, "from 0x01 to 0xFD (0xFE and 0xFF are reserved)", required: true);
        var flash = map.Get("flash") is { } flashNode ? ParseFlash(flashNode, map.Context) : FlashWiring.Default;
        var image = ParseFactoryImage(map);
        var command = ParseCommand(map);
        var power = map.Require("power") is { } powerNode ? ParsePower(powerNode, map.Context) : new VirtualPower();
        var sensor = map.Get("sensor") is { } sensorNode ? ParseSensor(sensorNode, map.Context) : null;
        var operating = map.Bool("operating");
        if (operating is not null && IsHardware)
        {
            map.Error(map.Get("operating")!, "'operating' sets the state of an emulated device body and only applies to virtual benches (kind: virtual)");
        }

        var program = map.String("program");
        if (program is not null && !IsHardware)
        {
            map.Error(map.Get("program")!, "'program' writes a board's factory image (a flasher command) and only applies to hardware benches; a virtual bench programs its emulated flash itself");
        }
        else if (program is not null && image is null)
        {
            map.Error(map.Get("program")!, "'program' writes the chip's factory image, but this chip has no 'factory_image'");
        }

        var log = ParseDevicePath(map, "log");
        if (log is not null && !IsHardware)
        {
            map.Error(map.Get("log")!, "'log' is a board's debug UART and only applies to hardware benches; a virtual bench reads its emulated chips' output itself");
        }

        var chip = new ChipWiring(name ?? "", (byte)(modelId ?? 0), flash, image, command, power, sensor, operating ?? false, (int)node.Start.Line)
        {
            Build = ParseBuild(map, command),
            Program = program,
            LogDevicePath = log,
        };
        bench.Chips.Add(new ParsedChip(chip, number, node.Start, map.Get("name")?.Start, map.Get("model_id")?.Start, map.Get("command")?.Start));
    }

    /// <summary>The optional build of a command chip's program, run in the wiring file's directory.</summary>
    private ChipBuild? ParseBuild(YamlMap map, string? command)
    {
        if (map.String("build") is not { } build)
        {
            return null;
        }
        if (IsHardware)
        {
            map.Error(map.Get("build")!, "'build' builds the program of a 'command' chip and only applies to virtual benches (kind: virtual)");
        }
        else if (command is null)
        {
            map.Error(map.Get("build")!, "'build' builds the program the chip's 'command' runs, but this chip has no 'command'");
        }
        return new ChipBuild(build, Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".");
    }

    private string? ParseFactoryImage(YamlMap map)
    {
        if (map.String("factory_image") is not { } image)
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".";
        var fullPath = Path.GetFullPath(Path.Combine(directory, image));
        if (options.CheckFilesExist && !File.Exists(fullPath))
        {
            map.Error(map.Get("factory_image")!, $"factory_image '{image}' does not exist (looked for {fullPath}; the path is relative to the wiring file's directory)");
        }

        return fullPath;
    }

    private FlashWiring ParseFlash(YamlNode node, string context)
    {
        var map = YamlMap.From(node, context + "flash: ", "must be a mapping with keys sector_size, slot_size", errors);
        if (map is null)
        {
            return FlashWiring.Default;
        }

        map.RejectUnknownKeys(FlashKeys);
        var sector = map.Integer("sector_size", MinSectorSizeBytes, int.MaxValue, $"(bytes), a power of two of at least {MinSectorSizeBytes}");
        if (sector is not null && !BitOperations.IsPow2(sector.Value))
        {
            map.Error(map.Get("sector_size")!, $"'sector_size' must be a power of two of at least {MinSectorSizeBytes} bytes, got {sector}");
            sector = null;
        }

        var sectorBytes = (int)(sector ?? FlashWiring.DefaultSectorSizeBytes);
        var slot = map.Integer("slot_size", 1, int.MaxValue, "(bytes), a positive multiple of the sector size");
        if (slot is not null && slot % sectorBytes != 0)
        {
            map.Error(map.Get("slot_size")!, $"'slot_size' must be a positive multiple of the sector size ({sectorBytes} bytes), got {slot}");
        }

        return new FlashWiring(sectorBytes, (int)(slot ?? FlashWiring.DefaultSlotSizeBytes), (int)node.Start.Line);
    }

    private PowerWiring ParsePower(YamlNode node, string context)
    {
        var line = (int)node.Start.Line;
        var map = YamlMap.From(node, context + "power: ", "must be a mapping such as { kind: virtual }, { kind: gpio, chip: gpiochip0, line: 17, active_low: true } or { kind: command, on: ..., off: ... }", errors);
        if (map is null || map.Choice("kind", PowerKinds, required: true) is not { } kind)
        {
            map?.RejectUnknownKeys(["kind", "chip", "line", "active_low", "on", "off", "status"]);
            return new VirtualPower(line);
        }

        if (IsVirtual && kind != 0)
        {
            map.Error(map.Get("kind")!, $"power kind '{PowerKinds[kind]}' needs a hardware bench; on a virtual bench (kind: virtual) every power kind must be virtual");
        }
        else if (IsHardware && kind == 0)
        {
            map.Error(map.Get("kind")!, "power kind 'virtual' only switches emulated nodes; a hardware bench needs kind gpio or command");
        }

        switch (kind)
        {
            case 1:
                map.RejectUnknownKeys("kind", "chip", "line", "active_low");
                var chip = map.String("chip", required: true);
                var gpioLine = map.Integer("line", 0, int.MaxValue, "(the line offset on the GPIO chip), 0 or more", required: true);
                var activeLow = map.Bool("active_low", required: true);
                return new GpioPower(chip ?? "", (int)(gpioLine ?? 0), activeLow ?? true, line);
            case 2:
                map.RejectUnknownKeys("kind", "on", "off", "status");
                var on = map.String("on", required: true);
                var off = map.String("off", required: true);
                return new CommandPower(on ?? "", off ?? "", map.String("status"), line);
            default:
                map.RejectUnknownKeys("kind");
                return new VirtualPower(line);
        }
    }

    private SensorWiring? ParseSensor(YamlNode node, string context)
    {
        var map = YamlMap.From(node, context + "sensor: ", "must be a mapping with keys kind, bus, address, shunt_ohms, max_current_a (ina219) or kind, read (command)", errors);
        if (map is null)
        {
            return null;
        }

        var deadBelow = map.Number("dead_below_ma", "greater than 0 (milliamps)", v => v > 0) ?? SensorWiring.DefaultDeadBelowMilliamps;
        if (map.Choice("kind", SensorKinds, required: true) == 1)
        {
            map.RejectUnknownKeys("kind", "read", "dead_below_ma");
            if (!IsHardware)
            {
                map.Error(map.Get("kind")!, "sensor kind 'command' reads a hardware bench's current; a virtual bench reads its emulated nodes itself");
            }
            return new SensorWiring(SensorKind.Command, 0, 0, 0, 0, (int)node.Start.Line)
            {
                ReadCommand = map.String("read", required: true) ?? "",
                DeadBelowMilliamps = deadBelow,
            };
        }

        map.RejectUnknownKeys("kind", "bus", "address", "shunt_ohms", "max_current_a", "dead_below_ma");
        var bus = map.Integer("bus", 0, int.MaxValue, "(the I2C bus number), 0 or more", required: true);

        // INA219 datasheet (SBOS448), table "Address Pins and Slave Addresses": pins A0/A1 select 0x40..0x4F.
        var address = map.Integer("address", 0x40, 0x4F, "from 0x40 to 0x4F (the INA219 address range)", required: true);
        var shunt = map.Number("shunt_ohms", "greater than 0", v => v > 0);
        var maxCurrent = map.Number("max_current_a", "greater than 0", v => v > 0);
        return new SensorWiring(
            SensorKind.Ina219,
            (int)(bus ?? 0),
            (int)(address ?? 0x40),
            shunt ?? SensorWiring.DefaultShuntOhms,
            maxCurrent ?? SensorWiring.DefaultMaxCurrentAmps,
            (int)node.Start.Line)
        {
            DeadBelowMilliamps = deadBelow,
        };
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex ChipNamePattern();
}
