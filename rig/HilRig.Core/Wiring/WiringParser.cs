using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

/// <summary>
/// Reads one wiring document into a <see cref="ParsedBench"/>: keys, types, ranges and the rules
/// that depend only on the bench kind. Rules across nodes (names, graph, order) are
/// <see cref="WiringValidator"/>'s.
/// </summary>
internal sealed partial class WiringParser(string sourcePath, WiringLoadOptions options, WiringErrorList errors)
{
    /// <summary>Most chips a bench may have.</summary>
    public const int MaxChips = 32;

    private static readonly string[] RootKeys = ["bench", "kind", "module", "chips", "links", "upgrade", "network"];
    private static readonly string[] ModuleKeys = ["kind", "power", "command", "sensor", "factory_image", "log", "program"];
    private static readonly string[] ModuleKinds = ["device", "rig"];
    private static readonly string[] LinkKeys = ["from", "to", "baud", "rig", "near", "far", "unplugged"];
    private static readonly string[] UpgradeKeys = ["default_order"];
    private static readonly string[] BenchKinds = ["virtual", "hardware"];
    private static readonly string[] RigModes = ["relay", "tap", "direct"];

    private readonly ParsedBench bench = new();

    public ParsedBench Parse(YamlNode root)
    {
        var map = YamlMap.From(root, "", $"a wiring file must be a mapping with keys {string.Join(", ", RootKeys)}", errors);
        if (map is null)
        {
            return bench;
        }

        map.RejectUnknownKeys(RootKeys);
        if (map.String("bench", required: true) is { } name)
        {
            if (!BenchNamePattern().IsMatch(name))
            {
                map.Error(map.Get("bench")!, $"bench name '{name}' must use only lower-case letters, digits and '-'");
            }

            bench.Name = name;
        }

        bench.Kind = (BenchKind?)map.Choice("kind", BenchKinds, required: true);
        if (map.Require("module") is { } module)
        {
            ParseModule(module);
        }

        if (map.Sequence("chips", $"a list of 1 to {MaxChips} chips", required: true) is { } chips)
        {
            ParseChips(chips);
        }

        if (map.Sequence("links", "a list of links (from, to, baud, rig)", required: true) is { } links)
        {
            var number = 0;
            foreach (var link in links)
            {
                ParseLink(link, ++number);
            }
        }

        if (map.Get("upgrade") is { } upgrade)
        {
            ParseUpgrade(upgrade);
        }

        if (map.Get("network") is { } network)
        {
            ParseNetwork(network);
        }

        return bench;
    }

    private bool IsVirtual => bench.Kind == BenchKind.Virtual;

    private bool IsHardware => bench.Kind == BenchKind.Hardware;

    private void ParseModule(YamlNode node)
    {
        var map = YamlMap.From(node, "module: ", "must be a mapping with keys power, command, sensor, factory_image", errors);
        if (map is null)
        {
            return;
        }

        map.RejectUnknownKeys(ModuleKeys);
        if (map.Choice("kind", ModuleKinds) == 1)
        {
            ParseRigModule(map, node);
            return;
        }
        var power = map.Require("power") is { } powerNode ? ParsePower(powerNode, map.Context) : new VirtualPower();
        var command = ParseCommand(map);
        var sensor = map.Get("sensor") is { } sensorNode ? ParseSensor(sensorNode, map.Context) : null;
        var log = ParseDevicePath(map, "log");
        if (log is not null && IsVirtual)
        {
            map.Error(map.Get("log")!, "'log' is the module's debug UART and only applies to hardware benches; a virtual bench reads its emulated module's output itself");
        }
        var image = ParseFactoryImage(map);
        var program = map.String("program");
        if (program is not null && !IsHardware)
        {
            map.Error(map.Get("program")!, "'program' writes the module's factory image (a flasher command) and only applies to hardware benches; a virtual bench programs its emulated module itself");
        }
        else if (program is not null && image is null)
        {
            map.Error(map.Get("program")!, "'program' writes the module's factory image, but the module has no 'factory_image'");
        }
        bench.Module = new ModuleWiring(power, command, sensor, (int)node.Start.Line) { FactoryImage = image, LogDevicePath = log, Program = program };
        bench.ModuleCommandMark = command is null ? null : map.Get("command")!.Start;
    }

    /// <summary><c>module: { kind: rig }</c>: the rig is the module, so nothing of a module's own may be given.</summary>
    private void ParseRigModule(YamlMap map, YamlNode node)
    {
        if (!IsHardware)
        {
            map.Error(map.Get("kind")!, "module kind 'rig' (the rig speaks the module's chain side) applies to hardware benches; a virtual bench emulates the module");
        }
        foreach (var key in new[] { "power", "command", "sensor", "factory_image", "log", "program" }.Where(map.Has))
        {
            map.Error(map.Get(key)!, $"'{key}' belongs to a module of the device; with kind: rig the rig itself is the module and has none");
        }
        bench.Module = new ModuleWiring(new VirtualPower((int)node.Start.Line), null, null, (int)node.Start.Line) { Kind = ModuleKind.Rig };
    }

    private string? ParseCommand(YamlMap map)
    {
        var command = map.String("command");
        if (command is not null && IsHardware)
        {
            map.Error(map.Get("command")!, "'command' replaces an emulated node and only applies to virtual benches (kind: virtual)");
        }

        return command;
    }

    private void ParseChips(YamlSequenceNode chips)
    {
        if (chips.Children.Count is 0 or > MaxChips)
        {
            errors.Add(chips, $"'chips' must list 1 to {MaxChips} chips, found {chips.Children.Count}");
        }

        var number = 0;
        foreach (var chip in chips)
        {
            ParseChip(chip, ++number);
        }
    }

    private void ParseLink(YamlNode node, int number)
    {
        var map = YamlMap.From(node, $"link {number}: ", "must be a mapping with keys from, to, baud, rig (and near, far on hardware benches)", errors);
        if (map is null)
        {
            return;
        }

        map.RejectUnknownKeys(LinkKeys);
        var from = map.String("from", required: true);
        var to = map.String("to", required: true);
        var baud = map.Integer("baud", 1, int.MaxValue, $"from {string.Join(", ", LinkWiring.SupportedBaudRates)}", required: true);
        if (baud is not null && !LinkWiring.SupportedBaudRates.Contains((int)baud))
        {
            map.Error(map.Get("baud")!, $"'baud' must be one of {string.Join(", ", LinkWiring.SupportedBaudRates)}, got {baud}");
        }

        var mode = (RigMode?)map.Choice("rig", RigModes, required: true);
        var near = ParseDevicePath(map, "near");
        var far = ParseDevicePath(map, "far");
        CheckDevicePaths(map, mode, from, to);
        if (from == ModuleWiring.Name && bench.Module.Kind == ModuleKind.Rig && mode is { } m && m != RigMode.Relay)
        {
            map.Error(map.Get("rig")!, $"with module kind 'rig' the rig itself is the module, so its link to '{to}' must be rig: relay, not {m.ToString().ToLowerInvariant()}");
        }

        var unplugged = map.Bool("unplugged") ?? false;
        if (unplugged && (IsHardware || mode != RigMode.Relay))
        {
            map.Error(map.Get("unplugged")!, "'unplugged' leaves a virtual bench's relayed cable open (to try the bench checks); it applies to relay links of virtual benches only");
        }
        var link = new LinkWiring(from ?? "", to ?? "", (int)(baud ?? 0), mode ?? RigMode.Relay, near, far, (int)node.Start.Line) { Unplugged = unplugged };
        bench.Links.Add(new ParsedLink(link, number, node.Start, map.Get("from")?.Start, map.Get("to")?.Start));
    }

    /// <summary>
    /// A device path: absolute (/dev/serial/by-id/...), or relative to the wiring file's directory when it starts with
    /// ./ or ../ (a bench double keeps its serial links in a folder of its own).
    /// </summary>
    private string? ParseDevicePath(YamlMap map, string key)
    {
        var path = map.String(key);
        if (path is null)
        {
            return null;
        }
        if (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith("../", StringComparison.Ordinal))
        {
            return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".", path));
        }
        if (!path.StartsWith('/'))
        {
            map.Error(map.Get(key)!, $"'{key}' must be a device path such as /dev/serial/by-id/... (or ./..., relative to the wiring file), got '{path}'");
        }

        return path;
    }

    private void CheckDevicePaths(YamlMap map, RigMode? mode, string? from, string? to)
    {
        if (IsVirtual)
        {
            foreach (var key in new[] { "near", "far" }.Where(map.Has))
            {
                map.Error(map.Get(key)!, $"'{key}' is a device path, but a virtual bench makes its own ptys; remove it or use kind: hardware");
            }
        }
        else if (IsHardware && mode == RigMode.Relay && from == ModuleWiring.Name && bench.Module.Kind == ModuleKind.Rig)
        {
            if (map.Has("near"))
            {
                map.Error(map.Get("near")!, "with module kind 'rig' the rig itself is the module: the first link has no 'near' UART, only 'far' (toward the chip)");
            }

            if (!map.Has("far"))
            {
                map.Error(map.Start, $"a relay link on a hardware bench needs 'far' (the rig's UART toward '{to}')");
            }
        }
        else if (IsHardware && mode == RigMode.Relay)
        {
            if (!map.Has("near"))
            {
                map.Error(map.Start, $"a relay link on a hardware bench needs 'near' (the rig's UART toward '{from}')");
            }

            if (!map.Has("far"))
            {
                map.Error(map.Start, $"a relay link on a hardware bench needs 'far' (the rig's UART toward '{to}')");
            }
        }
        else if (IsHardware && mode == RigMode.Tap && !map.Has("near") && !map.Has("far"))
        {
            map.Error(map.Start, "a tap link on a hardware bench needs 'near' or 'far' (the UART the rig listens on)");
        }
        else if (IsHardware && mode == RigMode.Direct)
        {
            foreach (var key in new[] { "near", "far" }.Where(map.Has))
            {
                map.Error(map.Get(key)!, $"a direct link does not pass through the rig; remove '{key}' or use rig: relay or tap");
            }
        }
    }

    private void ParseUpgrade(YamlNode node)
    {
        var map = YamlMap.From(node, "upgrade: ", "must be a mapping with key default_order", errors);
        if (map is null)
        {
            return;
        }

        map.RejectUnknownKeys(UpgradeKeys);
        if (map.Sequence("default_order", "a list of chip names, e.g. [chip3, chip2, chip1]") is not { } order)
        {
            return;
        }

        bench.DefaultOrderMark = order.Start;
        bench.DefaultOrder = [];
        foreach (var entry in order)
        {
            if (entry is YamlScalarNode { Value: { } name } && !YamlMap.IsNull(entry))
            {
                bench.DefaultOrder.Add(new ParsedOrderEntry(name, entry.Start));
            }
            else
            {
                map.Error(entry, "'default_order' entries must be chip names");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex BenchNamePattern();
}
