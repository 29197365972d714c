using System.Diagnostics;
using HilRig.Core.Power;
using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>One line of a bench proof: what was checked, whether it held, and what the rig saw.</summary>
public sealed record ProofRow(string Check, bool Ok, string Detail);

/// <summary>
/// Proves a bench before a run (`hilrig wiring check`): every link passes bytes (the chip at its far end
/// answers STATUS through the rig), every power line changes what the rig observes (a chip switched off
/// falls silent, switched on answers again), and every sensor reads nothing while its node is off and a current while it answers.
/// </summary>
public static class BenchProver
{
    /// <summary>How long a chip may take to answer after power-on before the check fails.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Powers the bench up (without waiting for every chip), runs every check, powers it down.</summary>
    public static async Task<IReadOnlyList<ProofRow>> ProveAsync(IBench bench, CancellationToken cancellationToken)
    {
        var rows = new List<ProofRow>();
        var wiring = bench.Wiring;
        foreach (var chip in wiring.Chips)
        {
            await bench.Power(chip.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        }
        await bench.Power(ModuleWiring.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chip in wiring.Chips)
        {
            await bench.WaitBootedAsync(chip.Name, cancellationToken).ConfigureAwait(false);
        }

        var reachable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in wiring.Links)
        {
            var check = $"link {link.From} -> {link.To}";
            if (link.RigMode != RigMode.Relay)
            {
                rows.Add(new ProofRow(check, true, $"not checked: the rig is a {link.RigMode.ToString().ToLowerInvariant()} on this link and cannot send on it"));
                continue;
            }
            var clock = Stopwatch.StartNew();
            var status = await AnswerAsync(bench, link.To, TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            if (status is null)
            {
                rows.Add(new ProofRow(check, false, $"no answer from {link.To} to STATUS sent by the rig on this link: the cable between the rig and {link.To} passes no bytes, or {link.To} does not run"));
            }
            else
            {
                reachable.Add(link.To);
                rows.Add(new ProofRow(check, true, $"{link.To} answered STATUS in {clock.ElapsedMilliseconds} ms ({status.Mode}, version {status.ActiveVersion})"));
            }
        }

        foreach (var chip in wiring.Chips)
        {
            var check = $"power {chip.Name} ({bench.Wiring.Chip(chip.Name).Power.KindName})";
            if (!reachable.Contains(chip.Name))
            {
                rows.Add(new ProofRow(check, false, $"not checked: the rig cannot reach {chip.Name} (see its link)"));
                continue;
            }
            await bench.Power(chip.Name).OffAsync(cancellationToken).ConfigureAwait(false);
            var whileOff = await bench.Probe.QueryStatusAsync(chip.Name, cancellationToken).ConfigureAwait(false);
            var currentOff = await ReadCurrentAsync(bench, chip.Name, cancellationToken).ConfigureAwait(false);
            await bench.Power(chip.Name).OnAsync(cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var back = await AnswerAsync(bench, chip.Name, AnswerTimeout, cancellationToken).ConfigureAwait(false);
            var currentOn = await ReadCurrentAsync(bench, chip.Name, cancellationToken).ConfigureAwait(false);
            if (bench.Sensor(chip.Name) is { } sensor)
            {
                var threshold = sensor.DeadBelowMilliamps;
                rows.Add(new ProofRow($"sensor {chip.Name}", currentOff.Value < threshold && currentOn.Value >= threshold && back is not null,
                    $"off: {currentOff.Text}; on and answering: {currentOn.Text} (dead below {threshold.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} mA)"));
            }
            rows.Add(whileOff is not null
                ? new ProofRow(check, false, $"{chip.Name} still answered STATUS while its power was off: the power line does not switch it")
                : back is null
                    ? new ProofRow(check, false, $"{chip.Name} fell silent when switched off but did not answer within {AnswerTimeout.TotalSeconds:0} s of power-on")
                    : new ProofRow(check, true, $"off: silent; on: answered again after {clock.ElapsedMilliseconds} ms"));
        }

        var unreadable = wiring.Chips.Where(c => c.Sensor is not null && bench.Sensor(c.Name) is null).Select(c => c.Name).ToList();
        if (unreadable.Count > 0)
        {
            rows.Add(new ProofRow("sensors", false, $"not readable on this bench: {string.Join(", ", unreadable)} have sensors in the wiring file"));
        }
        await bench.PowerOffAllAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private static async Task<(double Value, string Text)> ReadCurrentAsync(IBench bench, string chip, CancellationToken cancellationToken)
    {
        if (bench.Sensor(chip) is not { } sensor) return (double.NaN, "no sensor");
        try
        {
            var milliamps = await sensor.ReadMilliampsAsync(cancellationToken).ConfigureAwait(false);
            return (milliamps, milliamps.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " mA");
        }
        catch (Sensors.SensorException ex)
        {
            return (double.NaN, ex.Message);
        }
    }

    private static async Task<Protocol.Messages.StatusPayload?> AnswerAsync(IBench bench, string chip, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await bench.Probe.QueryStatusAsync(chip, cancellationToken).ConfigureAwait(false) is { } status)
            {
                return status;
            }
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    /// <summary>The rows as a plain table.</summary>
    public static string Format(IReadOnlyList<ProofRow> rows)
    {
        var width = rows.Max(r => r.Check.Length);
        return string.Join(Environment.NewLine, rows.Select(r => $"  {r.Check.PadRight(width)}  {(r.Ok ? "ok  " : "FAIL")}  {r.Detail}"));
    }
}
