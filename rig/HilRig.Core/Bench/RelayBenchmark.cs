using System.Diagnostics;
using HilRig.Bench.Uart;
using HilRig.Core.Links;
using HilRig.Core.Timeline;
using HilRig.Protocol.Framing;
using HilRig.Serial;

namespace HilRig.Core.Bench;

/// <summary>Latency of one frame size over one path, with and without the rig's relay in the hop.</summary>
/// <param name="Path">Which path: ptys opened directly, or by-id links as a double (or a Pi) names them with a line-rate sender.</param>
/// <param name="FrameBytes">Whole frame on the wire, header and CRC included.</param>
/// <param name="Samples">Frames timed on each path.</param>
/// <param name="Direct">Milliseconds from the first byte written to the last byte read, over a plain wire: p50, p99, max.</param>
/// <param name="Relayed">The same with the rig's relay link in the hop.</param>
public sealed record RelayLatency(string Path, int FrameBytes, int Samples, (double P50, double P99, double Max) Direct, (double P50, double P99, double Max) Relayed)
{
    /// <summary>What the relay adds at each percentile (relayed minus direct).</summary>
    public (double P50, double P99, double Max) Added => (Relayed.P50 - Direct.P50, Relayed.P99 - Direct.P99, Relayed.Max - Direct.Max);
}

/// <summary>
/// `hilrig bench relay`: what sitting in a hop costs. A sender writes frames into one end of a hop and a reader times
/// them at the other, once over a plain wire and once with a <see cref="RelayLink"/> (decode, timeline, forward) in
/// between, on ptys, and on by-id links as a bench double exposes them with the sender paced at the line rate as the
/// double's chips send.
/// </summary>
public static class RelayBenchmark
{
    /// <summary>Measures <paramref name="samples"/> frames of <paramref name="frameBytes"/> each way: plain wire, then relayed.</summary>
    public static async Task<RelayLatency> MeasureAsync(int frameBytes, int samples, bool asDouble, int baudRate, string folder, CancellationToken cancellationToken)
    {
        var frame = new Frame(MessageType.Data, 0x13, Address.Module, 1, new byte[frameBytes - Frame.HeaderSizeBytes - Frame.TrailerSizeBytes]).Encode();
        var pacer = asDouble ? new LinePacer(baudRate) : null;
        using var direct = new VirtualWire("bench/direct");
        var plain = await TimeAsync(direct.NearPath, direct.FarPath, frame, samples, pacer, cancellationToken).ConfigureAwait(false);

        using var near = new VirtualWire("bench/near");
        using var far = new VirtualWire("bench/far");
        string nearPort = near.FarPath, farPort = far.NearPath;
        if (asDouble)
        {
            nearPort = Expose(Path.Combine(folder, "serial", "by-id", "usb-HilRig_Bench_relay-if00-port0"), near.FarPath);
            farPort = Expose(Path.Combine(folder, "serial", "by-id", "usb-HilRig_Bench_relay-if01-port0"), far.NearPath);
        }
        using var timeline = new BenchTimeline(null);
        await using var relay = new RelayLink("bench", nearPort, farPort, baudRate, timeline);
        relay.Start();
        var relayed = await TimeAsync(near.NearPath, far.FarPath, frame, samples, pacer, cancellationToken).ConfigureAwait(false);
        return new RelayLatency(asDouble ? "double (by-id links, line-rate sender)" : "ptys", frameBytes, samples, plain, relayed);
    }

    private static string Expose(string link, string pty)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (new FileInfo(link).LinkTarget is not null || File.Exists(link)) File.Delete(link);
        File.CreateSymbolicLink(link, pty);
        return SerialDevicePaths.Resolve(link, Path.GetDirectoryName(link)!);
    }

    private static async Task<(double, double, double)> TimeAsync(string senderPath, string readerPath, byte[] frame, int samples, LinePacer? pacer,
        CancellationToken cancellationToken)
    {
        await using var sender = PtyStream.Open(senderPath);
        await using var reader = PtyStream.Open(readerPath);
        var buffer = new byte[4096];
        var times = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            var writing = WriteAsync(sender, frame, pacer, cancellationToken);
            var got = 0;
            while (got < frame.Length)
            {
                var n = await reader.ReadAsync(buffer.AsMemory(0, frame.Length - got), cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IOException($"{readerPath} closed after {got} of {frame.Length} bytes");
                got += n;
            }
            times[i] = clock.Elapsed.TotalMilliseconds;
            await writing.ConfigureAwait(false);
        }
        Array.Sort(times);
        return (times[samples / 2], times[Math.Max(0, (int)Math.Ceiling(samples * 0.99) - 1)], times[^1]);
    }

    /// <summary>Writes the frame at once, or a byte at a time at the line rate (as a UART sends it).</summary>
    private static async Task WriteAsync(Stream port, byte[] frame, LinePacer? pacer, CancellationToken cancellationToken)
    {
        if (pacer is null)
        {
            await port.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < frame.Length; i++)
        {
            var due = start + (long)(Stopwatch.Frequency * (i / pacer.BytesPerSecond));
            await LinePacer.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
            await port.WriteAsync(frame.AsMemory(i, 1), cancellationToken).ConfigureAwait(false);
        }
    }
}
