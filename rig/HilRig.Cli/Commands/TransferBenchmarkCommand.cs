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
        var dropEvery = new Option<int>("--drop-data-every")
        {
            Description = "Drop every Nth DATA frame going down the link above the target (5: a link losing 20% of its DATA frames).",
        };
        var protocol = new Option<string>("--target-protocol")
        {
            Description = "Protocol the target speaks: 1.2 (selective acknowledgement) or 1.1 (go-back-N); emulated chips only.",
            DefaultValueFactory = _ => "1.2",
        };
        protocol.AcceptOnlyFromAmong("1.1", "1.2");
        var command = new Command("transfer", "Upgrade the farthest chip through every pass-through hop and print efficiency = image bytes/s / (baud/10), and image bytes / bytes sent.")
        {
            wiring, bauds, seconds, output, dropEvery, protocol,
        };
        command.SetAction(async (result, token) =>
        {
            var bench = WiringCommands.LoadOrReport(result.GetRequiredValue(wiring));
            if (bench is null) return 2;
            if (result.GetValue(dropEvery) is < 0 or 1)
            {
                await Console.Error.WriteLineAsync($"hilrig bench transfer: --drop-data-every {result.GetValue(dropEvery)}: give 0 (no drop) or N >= 2 (every Nth DATA frame)");
                return 2;
            }
            var conditions = new TransferConditions { DropEveryNthData = result.GetValue(dropEvery), TargetSpeaks11 = result.GetRequiredValue(protocol) == "1.1" };
            foreach (var baud in result.GetRequiredValue(bauds))
            {
                var size = (int)(baud / 10.0 * result.GetValue(seconds));
                var dir = Path.Combine(result.GetRequiredValue(output), baud.ToString(CultureInfo.InvariantCulture));
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                Console.WriteLine($"baud {baud}: upgrading {bench.FarToNearOrder()[0]} with a {size}-byte image...");
                var m = await TransferBenchmark.RunAsync(bench, baud, size, dir, token, conditions);
                var lossy = conditions.DropEveryNthData > 0
                    ? string.Create(CultureInfo.InvariantCulture, $" (every {conditions.DropEveryNthData}th DATA frame dropped, target speaks {(conditions.TargetSpeaks11 ? "1.1" : "1.2")})")
                    : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"baud {m.BaudRate}: target {m.Target} through {m.Hops - 2} pass-through hop(s), {m.ImageSizeBytes} bytes in {m.Seconds:0.000} s, {m.BytesSent} bytes sent, efficiency: {m.Efficiency:0.00}, image bytes / bytes sent: {m.SendEfficiency:0.00}") + lossy);
            }
            return 0;
        });
        return command;
    }
}
