using System.CommandLine;
using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Core.Double;
using HilRig.Core.Wiring;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench relay`: the latency the rig adds per hop, and the transfer efficiency through a bench double.</summary>
internal static class RelayBenchmarkCommand
{
    public static Command Create()
    {
        var samples = new Option<int>("--samples") { Description = "Frames timed per size and path.", DefaultValueFactory = _ => 500 };
        var doubleWiring = new Option<string>("--double") { Description = "The double's wiring file for the transfer through it.", DefaultValueFactory = _ => Path.Combine(RepoPaths.Root, "wiring", "double-chain.yaml") };
        var output = new Option<string>("--out") { Description = "Artifacts directory.", DefaultValueFactory = _ => Path.Combine(RepoPaths.Root, "artifacts", "bench-relay") };
        var command = new Command("relay", "Latency the rig adds per hop (p50, p99, max) for 16- and 270-byte frames, on ptys and through a double's by-id links; transfer efficiency through a bench double.")
        {
            samples, doubleWiring, output,
        };
        command.SetAction(async (result, token) =>
        {
            var folder = Path.GetFullPath(result.GetRequiredValue(output));
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            var count = result.GetValue(samples);
            if (count < 10)
            {
                await Console.Error.WriteLineAsync("hilrig bench relay: --samples must be 10 or more");
                return 2;
            }
            Console.WriteLine($"latency of one frame from the first byte written to the last byte read, {count} frames each, ms (plain wire / relayed / added by the relay)");
            foreach (var asDouble in new[] { false, true })
            {
                foreach (var size in new[] { 16, 270 })
                {
                    var m = await RelayBenchmark.MeasureAsync(size, count, asDouble, 115200, folder, token);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {m.Path,-40} {m.FrameBytes,3} B  p50 {m.Direct.P50,6:0.000} / {m.Relayed.P50,6:0.000} / {m.Added.P50,6:0.000}   p99 {m.Direct.P99,6:0.000} / {m.Relayed.P99,6:0.000} / {m.Added.P99,6:0.000}   max {m.Direct.Max,6:0.000} / {m.Relayed.Max,6:0.000} / {m.Added.Max,6:0.000}"));
                }
            }
            Console.WriteLine("  (on a real UART the relay forwards a frame once it has all of it and its CRC: each relayed hop adds the frame's line time too)");

            var wiringPath = DoubleWiring.Relocate(result.GetRequiredValue(doubleWiring), Path.Combine(folder, "transfer"));
            var wiring = WiringLoader.Load(wiringPath);
            await using (BenchDouble.Start(wiring, new BenchDoubleOptions(Path.Combine(folder, "transfer", "double"))))
            {
                var baud = wiring.Links[0].BaudRate;
                Console.WriteLine($"transfer through the double '{wiring.Name}' (the rig's hardware path, the rig as module) to {wiring.FarToNearOrder()[0]}...");
                var t = await TransferBenchmark.RunAsync(wiring, baud, (int)(baud / 10.0 * 6), Path.Combine(folder, "transfer", "rig"), token);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  baud {t.BaudRate}: target {t.Target} through {t.Hops - 2} pass-through hop(s) and {t.Hops - 1} relays, {t.ImageSizeBytes} bytes in {t.Seconds:0.000} s, {t.BytesSent} bytes sent, efficiency: {t.Efficiency:0.00}"));
            }
            return 0;
        });
        return command;
    }
}
