using System.CommandLine;
using HilRig.Core.Double;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench double WIRING`: builds a hardware bench's double outside the rig and keeps it up until stopped.</summary>
internal static class BenchDoubleCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("wiring") { Description = "The hardware bench's wiring file (kind: hardware, module: { kind: rig }), e.g. wiring/double-chain.yaml." };
        var directory = new Option<string?>("--dir") { Description = "The double's folder (control script, power log, flash, logs); default artifacts/double/<bench>, where the committed double wiring files point." };
        var chipCommand = new Option<string?>("--chip-command") { Description = "Run each chip with this command ({upstream}, {downstream0}.., {flash}, {model_id}, {baud}) instead of the built-in emulated chip." };
        var defect = new Option<string[]>("--defect") { Description = "CHIP:DEFECT, start a built-in chip with a firmware defect (hilrig bench chip --help lists them)." };
        var command = new Command("double", "Build a bench double: ptys at the wiring file's serial paths, the chips on their far ends, power, current and flashing as commands (docs/wiring.md). Runs until Ctrl-C or SIGTERM.")
        {
            file, directory, chipCommand, defect,
        };
        command.SetAction(async (result, token) =>
        {
            var wiring = WiringCommands.LoadOrReport(result.GetRequiredValue(file));
            if (wiring is null) return 2;
            var defects = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var entry in result.GetValue(defect) ?? [])
            {
                var parts = entry.Split(':', 2);
                if (parts.Length != 2 || wiring.Chips.All(c => c.Name != parts[0]))
                {
                    await Console.Error.WriteLineAsync($"hilrig bench double: --defect '{entry}' must be CHIP:DEFECT with a chip of {wiring.Name} ({string.Join(", ", wiring.Chips.Select(c => c.Name))})");
                    return 2;
                }
                defects[parts[0]] = [.. defects.GetValueOrDefault(parts[0]) ?? [], parts[1]];
            }
            var options = new BenchDoubleOptions(Path.GetFullPath(result.GetValue(directory) ?? Path.Combine(RepoPaths.Root, "artifacts", "double", wiring.Name)))
            {
                ChipCommand = result.GetValue(chipCommand),
                ChipDefects = defects,
            };
            BenchDouble bench;
            try
            {
                bench = BenchDouble.Start(wiring, options);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"hilrig bench double: {ex.Message}");
                return 2;
            }
            await using (bench)
            {
                Console.WriteLine($"bench double '{wiring.Name}' ready: {bench.Chips.Count} chip(s) off, serial links under the wiring file's paths, commands: {bench.ControlScript}, power log: {Path.Combine(options.Directory, "power.log")}");
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                Console.WriteLine($"bench double '{wiring.Name}' stopping: every chip off");
            }
            return 0;
        });
        return command;
    }
}
