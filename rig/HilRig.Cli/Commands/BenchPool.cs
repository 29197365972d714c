using System.Globalization;
using HilRig.Core.Wiring;

namespace HilRig.Cli.Commands;

/// <summary>One bench of a run: the name its lock, its reports and the console know it by, and its wiring file.</summary>
/// <param name="Name">The wiring's bench name; #k after it for the k-th (k &gt; 1) of several virtual benches made from one file.</param>
/// <param name="WiringPath">The bench's wiring file (full path).</param>
internal sealed record PoolBench(string Name, string WiringPath);

/// <summary>
/// The benches a run runs on (<c>hilrig run --parallel N</c>, <c>--wiring</c> given once per bench): N virtual benches
/// made from one virtual wiring file, or one bench per wiring file given (a pool of hardware benches, or of virtual
/// ones of different wirings).
/// </summary>
internal static class BenchPool
{
    /// <summary>
    /// Virtual benches by default: two per core and one more, at most 8. A virtual bench spends most of a scenario waiting
    /// on paced UART bytes and protocol timeouts (docs/protocol.md), not computing: on a quiet 2-core machine the catalogue
    /// took 169.8 s on 5 benches and 229.7 s on 3, every scenario passing (README, "Benches in parallel"). On a machine
    /// loaded by other work fewer benches do as well (3 and 4 benches were within the noise there): give --parallel.
    /// </summary>
    public static int DefaultVirtualBenches => Math.Clamp(2 * Environment.ProcessorCount + 1, 1, 8);

    /// <summary>The most benches a run takes.</summary>
    public const int MaxBenches = 32;

    /// <summary>The benches of the run, or an error naming what is wrong with --parallel and --wiring.</summary>
    public static IReadOnlyList<PoolBench>? Plan(IReadOnlyList<(string Path, BenchWiring Wiring)> wirings, int? parallel, out string error)
    {
        error = "";
        if (parallel is < 1 or > MaxBenches)
        {
            error = $"--parallel {parallel} is outside 1..{MaxBenches}";
            return null;
        }
        if (wirings.Count > 1)
        {
            if (parallel is { } n && n != wirings.Count)
            {
                error = $"--parallel {n} with {wirings.Count} --wiring files: a pool runs one bench per wiring file (leave --parallel out, or give it {wirings.Count})";
                return null;
            }
            if (wirings.GroupBy(w => w.Wiring.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                error = $"--wiring: bench '{twice.Key}' is given twice ({string.Join(", ", twice.Select(w => w.Path))}); a pool names each bench once";
                return null;
            }
            return wirings.Select(w => new PoolBench(w.Wiring.Name, w.Path)).ToList();
        }
        var (path, wiring) = wirings[0];
        if (wiring.Kind == BenchKind.Hardware)
        {
            if (parallel is > 1)
            {
                error = $"--parallel {parallel}: bench '{wiring.Name}' is a hardware bench, one set of boards; run several by giving --wiring once per bench of the pool";
                return null;
            }
            return [new PoolBench(wiring.Name, path)];
        }
        var count = parallel ?? DefaultVirtualBenches;
        return count == 1
            ? [new PoolBench(wiring.Name, path)]
            // The first keeps the wiring's name (and so its lock: a parallel run and a plain run of the bench exclude each other).
            : Enumerable.Range(1, count).Select(k => new PoolBench(k == 1 ? wiring.Name : string.Create(CultureInfo.InvariantCulture, $"{wiring.Name}#{k}"), path)).ToList();
    }
}
