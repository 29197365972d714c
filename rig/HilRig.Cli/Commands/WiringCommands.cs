using System.CommandLine;
using HilRig.Core.Bench;
using HilRig.Core.Wiring;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig wiring ...`: check bench descriptions; `hilrig benches`: list them.</summary>
internal static class WiringCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Wiring file.", DefaultValueFactory = _ => RepoPaths.DefaultWiring };
        var staticOnly = new Option<bool>("--static") { Description = "Only check the file; do not bring the bench up and prove it." };
        var keep = new Option<bool>("--keep") { Description = "Keep the proof's node logs, flash files and timeline (printed at the end) instead of removing them." };
        var check = new Command("check", "Load a wiring file, report every rule it breaks (file:line), then prove the bench: each link passes bytes, each power line switches, each sensor answers.") { file, staticOnly, keep };
        check.SetAction(async (result, token) =>
        {
            var bench = LoadOrReport(result.GetRequiredValue(file));
            if (bench is null) return 2;
            Console.WriteLine($"{bench.SourcePath}: bench '{bench.Name}' ({bench.Kind}), {bench.Chips.Count} chip(s), {bench.Links.Count} link(s)");
            foreach (var link in bench.Links)
            {
                Console.WriteLine($"  link {link.From} -> {link.To}: {link.BaudRate} baud, rig {link.RigMode}{(link.Unplugged ? " (unplugged)" : "")}");
            }
            Console.WriteLine($"  upgrade order: {string.Join(", ", bench.UpgradeOrder)}");
            if (result.GetValue(staticOnly))
            {
                return 0;
            }
            if (bench.Kind != BenchKind.Virtual)
            {
                Console.WriteLine("checking the bench's hardware (power lines, sensors, UARTs); every node is left powered off...");
                var hardwareRows = await HardwareBenchCheck.RunAsync(bench, new HardwareBackends(), token);
                Console.WriteLine(BenchProver.Format(hardwareRows));
                var hardwareFailed = hardwareRows.Count(r => !r.Ok);
                if (hardwareFailed > 0)
                {
                    Console.WriteLine($"bench '{bench.Name}' NOT ready: {hardwareFailed} of {hardwareRows.Count} checks failed");
                    return 1;
                }
                Console.WriteLine($"bench '{bench.Name}': {hardwareRows.Count} backends answer");
            }
            Console.WriteLine("proving the bench (links, power lines, sensors)...");
            var kept = result.GetValue(keep);
            IReadOnlyList<ProofRow> rows;
            string artifacts;
            using (var scratch = ScratchDirectory.Create("hilrig-wiring-check-", kept))
            {
                artifacts = scratch.Path;
                try
                {
                    await using var proven = BenchFactory.Create(bench, new BenchOptions(artifacts) { StartCloud = false });
                    rows = await BenchProver.ProveAsync(proven, token);
                }
                catch (BenchSetupException ex)
                {
                    rows = [new ProofRow("bench setup", false, ex.Message)];
                }
            }
            Console.WriteLine(BenchProver.Format(rows));
            var failed = rows.Where(r => !r.Ok).ToList();
            var logs = kept ? $"node logs in {artifacts}" : "hilrig wiring check --keep keeps the node logs";
            Console.WriteLine(failed.Count == 0 ? $"bench '{bench.Name}' proven: {rows.Count} checks passed{(kept ? $" ({logs})" : "")}" : $"bench '{bench.Name}' NOT proven: {failed.Count} of {rows.Count} checks failed ({logs})");
            return failed.Count == 0 ? 0 : 1;
        });
        var offFile = new Argument<string>("file") { Description = "Wiring file of a hardware bench." };
        var off = new Command("off", "Drive every power line of a hardware bench off (its safe state), e.g. from systemd's ExecStopPost after a crash.") { offFile };
        off.SetAction(async (result, token) =>
        {
            var bench = LoadOrReport(result.GetRequiredValue(offFile));
            if (bench is null) return 2;
            if (bench.Kind != BenchKind.Hardware)
            {
                await Console.Error.WriteLineAsync($"hilrig wiring off: bench '{bench.Name}' is virtual: its nodes are processes of the rig and end with it");
                return 2;
            }
            var rows = await HardwareBenchCheck.AllOffAsync(bench, new HardwareBackends(), token);
            Console.WriteLine(BenchProver.Format(rows));
            return rows.All(r => r.Ok) ? 0 : 1;
        });
        var list = new Command("list", "List the benches described under wiring/.");
        list.SetAction(_ =>
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "wiring"), "*.yaml").Order())
            {
                var bench = LoadOrReport(path);
                Console.WriteLine(bench is null ? $"{path}: INVALID" : $"{Path.GetRelativePath(RepoPaths.Root, path)}: {bench.Name} ({bench.Kind}, {bench.Chips.Count} chips)");
            }
            return 0;
        });
        return new Command("wiring", "Bench descriptions (wiring files).") { check, off, list };
    }

    /// <summary>Loads a wiring file; on failure prints the loader's message (file:line: rule) and returns null.</summary>
    public static BenchWiring? LoadOrReport(string path)
    {
        try
        {
            return WiringLoader.Load(path);
        }
        catch (WiringException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }
    }
}
