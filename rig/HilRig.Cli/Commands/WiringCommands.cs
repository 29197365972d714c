using System.CommandLine;
using HilRig.Core.Wiring;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig wiring ...`: check bench descriptions; `hilrig benches`: list them.</summary>
internal static class WiringCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Wiring file.", DefaultValueFactory = _ => RepoPaths.DefaultWiring };
        var check = new Command("check", "Load a wiring file and report every rule it breaks, with file:line.") { file };
        check.SetAction(result =>
        {
            var bench = LoadOrReport(result.GetRequiredValue(file));
            if (bench is null) return 2;
            Console.WriteLine($"{bench.SourcePath}: bench '{bench.Name}' ({bench.Kind}), {bench.Chips.Count} chip(s), {bench.Links.Count} link(s)");
            foreach (var link in bench.Links)
            {
                Console.WriteLine($"  link {link.From} -> {link.To}: {link.BaudRate} baud, rig {link.RigMode}");
            }
            Console.WriteLine($"  upgrade order: {string.Join(", ", bench.UpgradeOrder)}");
            return 0;
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
        return new Command("wiring", "Bench descriptions (wiring files).") { check, list };
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
