using System.CommandLine;
using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Core.Wiring;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench transfer`: line efficiency of an upgrade through two pass-through hops.</summary>
internal static class TransferBenchmarkCommand
{
    public static Command Create()
    {
        var wiring = new Option<string>("--wiring") { Description = "Chain bench to measure on.", DefaultValueFactory = _ => RepoPaths.DefaultWiring };
        var bauds = new Option<int[]>("--baud") { Description = "Baud rate(s) to measure.", DefaultValueFactory = _ => [115200, 921600] };
        var seconds = new Option<double>("--seconds") { Description = "Approximate line time of each transfer (sets the image size).", DefaultValueFactory = _ => 6.0 };
        var output = new Option<string>("--out") { Description = "Artifacts directory.", DefaultValueFactory = _ => Path.Combine("artifacts", "bench-transfer") };
        var command = new Command("transfer", "Upgrade the farthest chip through every pass-through hop and print efficiency = image bytes/s / (baud/10).")
        {
            wiring, bauds, seconds, output,
        };
        command.SetAction(async (result, token) =>
        {
            var bench = WiringCommands.LoadOrReport(result.GetRequiredValue(wiring));
            if (bench is null) return 2;
            foreach (var baud in result.GetRequiredValue(bauds))
            {
                var size = (int)(baud / 10.0 * result.GetValue(seconds));
                var dir = Path.Combine(result.GetRequiredValue(output), baud.ToString(CultureInfo.InvariantCulture));
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                Console.WriteLine($"baud {baud}: upgrading {bench.FarToNearOrder()[0]} with a {size}-byte image...");
                var m = await TransferBenchmark.RunAsync(bench, baud, size, dir, token);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"baud {m.BaudRate}: target {m.Target} through {m.Hops - 2} pass-through hop(s), {m.ImageSizeBytes} bytes in {m.Seconds:0.000} s, {m.BytesSent} bytes sent, efficiency: {m.Efficiency:0.00}"));
            }
            return 0;
        });
        return command;
    }
}
