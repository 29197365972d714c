using System.CommandLine;
using HilRig.Bench.Chip;
using HilRig.Bench.Module;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Node;

/// <summary>
/// The commands that run one node of the virtual bench: `chip`, `module` and `station`. `hilrig-node` runs them
/// (the rig starts every emulated node so, through <see cref="NodeExecutable"/>), and `hilrig bench chip|module|station`
/// offers the same commands to people.
/// </summary>
public static partial class NodeCommands
{
    /// <summary>`chip`: one emulated chip on serial ports; <paramref name="usage"/> begins its error lines.</summary>
    public static Command Chip(string usage)
    {
        var name = new Option<string>("--name") { Description = "Node name for logs.", Required = true };
        var modelId = new Option<byte>("--model-id") { Description = "Chip model id (0x01..0xFD).", Required = true, CustomParser = ByteParser.Parse };
        var upstream = new Option<string>("--upstream") { Description = "Serial device towards the module.", Required = true };
        var downstream = new Option<string[]>("--downstream") { Description = "Serial device(s) towards farther chips.", AllowMultipleArgumentsPerToken = false };
        var flash = new Option<string>("--flash") { Description = "Flash file (created erased when missing).", Required = true };
        var baud = new Option<int>("--baud") { Description = "Line rate.", DefaultValueFactory = _ => 115200 };
        var sector = new Option<int>("--sector-size") { Description = "Flash sector size in bytes.", DefaultValueFactory = _ => FlashLayout.Default.SectorSizeBytes };
        var slot = new Option<int>("--slot-size") { Description = "Image slot size in bytes.", DefaultValueFactory = _ => FlashLayout.Default.SlotSizeBytes };
        var factory = new Option<string?>("--factory-image") { Description = "Image programmed into slot A when the flash file is new." };
        var operating = new Option<bool>("--operating") { Description = "The device body starts operating (PREPARE is refused)." };
        var defect = new Option<string[]>("--defect") { Description = $"Start with a firmware defect, to prove the scenarios catch it ({string.Join(", ", ChipDefects.ByName.Keys)})." };
        var cutAt = new Option<long?>("--cut-at-flash-op")
        {
            Description = $"Cut the power inside the Nth flash erase/program since power-on (1-based, factory programming not counted): the operation is torn, the chip exits with code {ChipHost.PowerCutExitCode}.",
        };
        var seed = new Option<int>("--seed") { Description = "Decides, with N, how the cut operation is torn.", DefaultValueFactory = _ => 0 };
        var logFlash = new Option<bool>("--log-flash-ops") { Description = "Log every flash operation: 'flash op #n erase|program 0xADDR+LEN'." };
        var protocol = new Option<string>("--protocol")
        {
            Description = "Protocol version the chip speaks: 1.2 (selective acknowledgement, docs/protocol.md §7.3.1) or 1.1 (ignores TRANSFER_OPTIONS).",
            DefaultValueFactory = _ => "1.2",
        };
        protocol.AcceptOnlyFromAmong("1.1", "1.2");
        var command = new Command("chip", "Run one emulated chip (the reference firmware behaviour) on serial ports.")
        {
            name, modelId, upstream, downstream, flash, baud, sector, slot, factory, operating, defect, cutAt, seed, logFlash, protocol,
        };
        command.SetAction(async (result, token) =>
        {
            var layout = new FlashLayout(result.GetValue(sector), result.GetValue(slot));
            if (layout.Validate() is { } error)
            {
                await Console.Error.WriteLineAsync($"{usage}: {error}");
                return 2;
            }
            var defects = ChipDefects.Parse(result.GetValue(defect) ?? [], out var defectError);
            if (defectError is not null)
            {
                await Console.Error.WriteLineAsync($"{usage}: {defectError}");
                return 2;
            }
            if (result.GetValue(cutAt) is < 1)
            {
                await Console.Error.WriteLineAsync($"{usage}: --cut-at-flash-op counts from 1");
                return 2;
            }
            var downstreamPaths = result.GetValue(downstream) ?? [];
            var config = new ChipConfig(result.GetRequiredValue(name), result.GetValue(modelId), downstreamPaths.Length, layout)
            {
                SelectiveAck = result.GetRequiredValue(protocol) == "1.2",
            };
            var options = new ChipHostOptions(config, result.GetRequiredValue(upstream), downstreamPaths,
                result.GetRequiredValue(flash), result.GetValue(baud), result.GetValue(factory), result.GetValue(operating), defects,
                result.GetValue(cutAt), result.GetValue(seed), result.GetValue(logFlash));
            var exitCode = await new ChipHost(options, Console.Error).RunAsync(token);
            if (exitCode == ChipHost.PowerCutExitCode)
            {
                // A dead chip does nothing more: no graceful shutdown of ports or the host.
                Environment.Exit(exitCode);
            }
            return exitCode;
        });
        return command;
    }

    /// <summary>`module`: the emulated comm module; <paramref name="usage"/> begins its error lines.</summary>
    public static Command Module(string usage)
    {
        var downstream = new Option<string>("--downstream") { Description = "Serial device towards chip 1.", Required = true };
        var baud = new Option<int>("--baud") { Description = "Line rate.", DefaultValueFactory = _ => 115200 };
        var state = new Option<string>("--state") { Description = "File holding the module's persisted campaign progress.", Required = true };
        var control = new Option<int>("--control-port") { Description = "Loopback TCP port of the rig's control channel (0: none)." };
        var controlSocket = new Option<string?>("--control-socket") { Description = "Unix socket of the rig's control channel, instead of --control-port (a module inside the network double's namespace)." };
        var flash = new Option<string?>("--network-flash") { Description = "Directory of the module's flash (factory record, network config, A/B slots); enables the WiFi side (docs/cloud.md §4)." };
        var air = new Option<string?>("--air") { Description = "JSON file of the access points in range, written by the rig." };
        var moduleDefect = new Option<string[]>("--defect") { Description = $"Start with a defect (WiFi side or chain side), to prove the scenarios catch it ({string.Join(", ", ModuleDefects.ByName.Keys)})." };
        var station = new Option<string?>("--station")
        {
            Description = "The WiFi station's interface (run inside the network double's namespace): DHCP, server names through the lease's DNS server, rejoin when the link goes.",
        };
        var command = new Command("module", "Run the emulated comm module: the chain part and, with --network-flash, its WiFi side.") { downstream, baud, state, control, controlSocket, flash, air, moduleDefect, station };
        command.SetAction(async (result, token) =>
        {
            var flashDir = result.GetValue(flash);
            var defects = ModuleDefects.Parse(result.GetValue(moduleDefect) ?? [], out var defectError);
            if (defectError is not null)
            {
                await Console.Error.WriteLineAsync($"{usage}: {defectError}");
                return 2;
            }
            var stationInterface = result.GetValue(station);
            if (stationInterface is not null && (flashDir is null || HilRig.Bench.Module.Network.Station.WifiStation.InterfaceProblem(stationInterface) is not null))
            {
                await Console.Error.WriteLineAsync(flashDir is null
                    ? $"{usage}: --station needs --network-flash (the WiFi side)"
                    : $"{usage}: --station {HilRig.Bench.Module.Network.Station.WifiStation.InterfaceProblem(stationInterface)}");
                return 2;
            }
            var network = flashDir is null ? null : new HilRig.Bench.Module.Network.ModuleNetworkOptions(flashDir,
                result.GetValue(air) ?? Path.Combine(flashDir, "air.json"), defects) { StationInterface = stationInterface };
            var options = new ModuleHostOptions(result.GetRequiredValue(downstream), result.GetValue(baud), result.GetRequiredValue(state), result.GetValue(control), network)
            {
                ControlSocket = result.GetValue(controlSocket),
                Defects = defects,
            };
            return await new ModuleHost(options, Console.Error).RunAsync(token);
        });
        return command;
    }
}
