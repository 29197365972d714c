using System.CommandLine;
using HilRig.Core.Faults.Sweeps;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench sweep`: a power cut at every frame boundary or flash operation of one chip's transfer.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var wiring = new Option<string>("--wiring") { Description = "Bench to sweep on.", DefaultValueFactory = _ => RepoPaths.DefaultWiring };
        var chip = new Option<string>("--chip") { Description = "Chip whose transfer is swept.", DefaultValueFactory = _ => "chip2" };
        var kind = new Option<string>("--at") { Description = "frames (whole device cut after every frame) or flash (chip cut inside every flash operation).", DefaultValueFactory = _ => "frames" };
        kind.AcceptOnlyFromAmong("frames", "flash");
        var body = new Option<int>("--body-bytes") { Description = "Image body size.", DefaultValueFactory = _ => 6 * 1024 };
        var seed = new Option<int>("--seed") { Description = "Seed of the torn flash bits.", DefaultValueFactory = _ => 0 };
        var parallel = new Option<int>("--parallel") { Description = "Benches at once.", DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--out") { Description = "Artifacts directory.", DefaultValueFactory = _ => Path.Combine("artifacts", "sweep") };
        var command = new Command("sweep", "Repeat one chip's upgrade with a power cut at every frame boundary or flash operation; print the table.")
        {
            wiring, chip, kind, body, seed, parallel, output,
        };
        command.SetAction(async (result, token) =>
        {
            var bench = WiringCommands.LoadOrReport(result.GetRequiredValue(wiring));
            if (bench is null) return 2;
            var chipName = result.GetRequiredValue(chip);
            if (bench.Chips.All(c => c.Name != chipName))
            {
                await Console.Error.WriteLineAsync($"hilrig bench sweep: bench {bench.Name} has no chip '{chipName}' (chips: {string.Join(", ", bench.Chips.Select(c => c.Name))})");
                return 2;
            }
            var sweepKind = result.GetRequiredValue(kind) == "flash" ? SweepKind.FlashOperation : SweepKind.FrameBoundary;
            var report = await PowerCutSweep.RunAsync(bench, chipName, sweepKind, new SweepOptions(Path.GetFullPath(result.GetRequiredValue(output)))
            {
                ImageBodyBytes = result.GetValue(body),
                Seed = result.GetValue(seed),
                Parallelism = Math.Max(1, result.GetValue(parallel)),
                Progress = (point, done) => Console.WriteLine($"  point {point.Index}: {(point.Recovered ? "recovered" : point.Bricked ? "BRICKED" : "NOT recovered")}, {point.BytesResent} bytes re-sent ({done} done)"),
            }, token);
            Console.Write(report.Render());
            return report.Recovered == report.Points.Count ? 0 : 1;
        });
        return command;
    }
}
