using HilRig.Core.Bench;
using HilRig.Core.Wiring;

namespace HilRig.Service.Runs;

/// <summary>
/// Drives the bench of a run the service lost (it was killed or crashed while the run ran) to its safe state, with
/// the code `hilrig wiring off` uses: every power line of a hardware bench switched off and read back. A virtual
/// bench needs nothing: its nodes were processes of the run and died with it. A bench whose lock another run holds
/// is left alone: that run owns it now and powers it off when it ends.
/// </summary>
public static class BenchRecovery
{
    /// <summary>Powers the bench of <paramref name="wiring"/> (relative to <paramref name="root"/>) off; returns what was done, for the run's record and the log.</summary>
    public static async Task<string> SafeStateAsync(string root, string wiring, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(wiring);
        BenchWiring bench;
        try
        {
            bench = WiringLoader.Load(Path.Combine(root, wiring));
        }
        catch (Exception ex) when (ex is WiringException or IOException or UnauthorizedAccessException)
        {
            return $"its wiring file {wiring} no longer loads ({RunRequestCheck.Relative(ex.Message, root)}): check that the bench is powered off by hand";
        }
        if (bench.Kind != BenchKind.Hardware)
        {
            return $"bench '{bench.Name}' is virtual: its nodes were processes of the run and ended with it, nothing to power off";
        }
        BenchLock? held;
        try
        {
            held = BenchLock.TryAcquire(bench.Name, "hilrig serve: powering a bench off after an interrupted run");
        }
        catch (IOException ex)
        {
            return $"bench '{bench.Name}' was not powered off: its lock cannot be taken ({RunRequestCheck.Relative(ex.Message, root)})";
        }
        if (held is null)
        {
            return $"bench '{bench.Name}' was left as it is: another run holds it ({BenchLock.Holder(bench.Name)}) and powers it off when it ends";
        }
        using (held)
        {
            var rows = await HardwareBenchCheck.AllOffAsync(bench, new HardwareBackends(), cancellationToken).ConfigureAwait(false);
            var failed = rows.Where(r => !r.Ok).ToList();
            return failed.Count == 0
                ? $"bench '{bench.Name}' powered off: {string.Join(", ", rows.Select(r => $"{r.Check} {r.Detail}"))}"
                : $"bench '{bench.Name}' NOT fully powered off: {RunRequestCheck.Relative(string.Join("; ", failed.Select(r => $"{r.Check}: {r.Detail}")), root)}";
        }
    }
}
