using HilRig.Core.Bench;
using HilRig.Core.Power;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Core.Verification;

/// <summary>How one chip came back after a fault.</summary>
public sealed record ChipRecovery(string Chip, string Expected, string Observed, bool Recovered, string? Problem);

/// <summary>The check made after one fault: every chip, and whether all recovered.</summary>
public sealed record RecoveryCheck(string Fault, double AtMs, IReadOnlyList<ChipRecovery> Chips)
{
    /// <summary>The same check with the resume point of a target added.</summary>
    public RecoveryCheck With(ChipRecovery resume) => this with { Chips = [.. Chips, resume] };

    /// <summary>True when every chip came back as it had persisted.</summary>
    public bool Passed => Chips.All(c => c.Recovered);

    /// <summary>The chips that did not, one line each.</summary>
    public string Describe() => string.Join(Environment.NewLine, Chips.Where(c => !c.Recovered).Select(c => $"after '{Fault}': {c.Problem}"));
}

/// <summary>
/// After power returns, asks every chip for STATUS (silence means sleep) and compares with what the
/// traffic before the fault proved it had persisted: the same mode, and for a target a persisted offset
/// not behind the last one it acknowledged.
/// </summary>
public sealed class RecoveryVerifier(IBench bench, ChainObserver observer)
{
    /// <summary>
    /// How long a booted chip must stay silent for the rig to read sleep (and an awake chip may take to answer).
    /// A freshly started emulated chip answers its first STATUS within milliseconds on an idle machine, but a
    /// loaded 2-core CI machine (a dozen processes, the emulated servers) has taken over 1.5 s.
    /// </summary>
    public static readonly TimeSpan AwakeGrace = TimeSpan.FromMilliseconds(2500);

    /// <summary>Checks every chip against <paramref name="before"/> (the observer's snapshot when the fault hit).</summary>
    public async Task<RecoveryCheck> VerifyAsync(string fault, IReadOnlyDictionary<string, ChipExpectation> before, double powerOnAtMs, CancellationToken cancellationToken)
    {
        var chips = await Task.WhenAll(bench.Wiring.Chips.Select(c => VerifyChipAsync(c.Name, before[c.Name], powerOnAtMs, cancellationToken))).ConfigureAwait(false);
        var check = new RecoveryCheck(fault, bench.Timeline.NowMs, chips);
        foreach (var chip in chips)
        {
            bench.Timeline.Add(chip.Chip, "verify", $"{(chip.Recovered ? "recovered" : "NOT recovered")}: expected {chip.Expected}, observed {chip.Observed}{(chip.Problem is null ? "" : $" ({chip.Problem})")}");
        }
        return check;
    }

    /// <summary>
    /// After the module is back, a target that had acknowledged persisted bytes must resume its transfer
    /// at or after that offset: its next START_ACK says where. Null when no target was cut mid-transfer or
    /// no START came (a chip-only cut, where the module goes on with DATA instead).
    /// </summary>
    public async Task<ChipRecovery?> VerifyResumeAsync(IReadOnlyDictionary<string, ChipExpectation> before, double afterMs, CancellationToken cancellationToken)
    {
        var target = before.Values.FirstOrDefault(e => e.AcceptableModes.Contains(ChipMode.Upgrade) && e.AckedPersistedOffset > 0);
        if (target is null)
        {
            return null;
        }
        var ack = await observer.NextStartAckAsync(target.Chip, afterMs, ResumeWait, cancellationToken).ConfigureAwait(false);
        if (ack is null || ack.Mode != ChipMode.Upgrade)
        {
            return null;
        }
        var expected = $"resume at or after {target.AckedPersistedOffset}";
        var observed = $"START_ACK resume {ack.ResumeOffset}";
        var ok = ack.ResumeOffset >= target.AckedPersistedOffset;
        bench.Timeline.Add(target.Chip, "verify", $"{(ok ? "resumed" : "NOT resumed")}: expected {expected}, observed {observed}");
        return new ChipRecovery(target.Chip, expected, observed, ok,
            ok ? null : $"{target.Chip} restarts its transfer at offset {ack.ResumeOffset}, behind the {target.AckedPersistedOffset} bytes it had acknowledged as persisted");
    }

    /// <summary>
    /// Whether a silent, powered chip is dead rather than asleep: its sensor reads under the dead threshold. Null when
    /// it is not (or has no sensor, or is not powered, or the sensor cannot be read: then silence reads as sleep).
    /// </summary>
    private async Task<string?> DeadAsync(string chip, CancellationToken cancellationToken)
    {
        if (bench.Sensor(chip) is not { } sensor || !bench.Power(chip).IsOn) return null;
        double milliamps;
        try
        {
            milliamps = await sensor.ReadMilliampsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Sensors.SensorException ex)
        {
            bench.Timeline.Add(chip, "error", $"current not read, silence taken for sleep: {ex.Message}");
            return null;
        }
        bench.Timeline.Add(chip, "current", FormattableString.Invariant($"{milliamps:0.###} mA while silent"));
        return milliamps < sensor.DeadBelowMilliamps
            ? FormattableString.Invariant($"silent, drawing {milliamps:0.###} mA (dead below {sensor.DeadBelowMilliamps:0.###} mA)")
            : null;
    }

    /// <summary>How long the rig waits for the module's START to the target after power returns.</summary>
    public static readonly TimeSpan ResumeWait = TimeSpan.FromSeconds(10);

    private async Task<ChipRecovery> VerifyChipAsync(string chip, ChipExpectation expected, double powerOnAtMs, CancellationToken cancellationToken)
    {
        await bench.WaitBootedAsync(chip, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + AwakeGrace;
        StatusPayload? status;
        // Silence counts as sleep only if it lasts the whole grace period: a chip that has just printed
        // its boot record may not be listening on its UART yet.
        do
        {
            status = await bench.Probe.QueryStatusAsync(chip, cancellationToken).ConfigureAwait(false);
        }
        while (status is null && DateTime.UtcNow < deadline);
        if (status is null && await DeadAsync(chip, cancellationToken).ConfigureAwait(false) is { } dead)
        {
            return new ChipRecovery(chip, ExpectedText(expected), dead, false,
                $"{chip} is dead: powered, silent and {dead[(dead.IndexOf("drawing", StringComparison.Ordinal))..]}, where a sleeping chip still draws its sleep current (had persisted {ExpectedText(expected)})");
        }
        return Judge(chip, expected, observer.ConfirmedSince(chip, powerOnAtMs), status);
    }

    private static string ExpectedText(ChipExpectation expected) =>
        string.Join(" or ", expected.AcceptableModes.Order().Select(m => m.ToString()))
        + (expected.AckedPersistedOffset > 0 ? $", persisted >= {expected.AckedPersistedOffset}" : "");

    /// <summary>
    /// How <paramref name="chip"/> came back: its STATUS (null when it stayed silent: sleep) against what it had
    /// persisted, a mode its own frames confirmed since power returned (<paramref name="confirmedSince"/>) counting too.
    /// </summary>
    internal static ChipRecovery Judge(string chip, ChipExpectation expected, IEnumerable<ChipMode> confirmedSince, StatusPayload? status)
    {
        var expectedText = ExpectedText(expected);
        var acceptable = new HashSet<ChipMode>(expected.AcceptableModes);
        acceptable.UnionWith(confirmedSince);
        var observedMode = status?.Mode ?? ModeMachine.Silent;
        var observed = status is null ? $"silent ({ModeMachine.Silent})" : $"{status.Mode}, persisted {status.PersistedOffset}, version {status.ActiveVersion}";
        if (!acceptable.Contains(observedMode))
        {
            return new ChipRecovery(chip, expectedText, observed, false, $"{chip} came back {observed}, but had persisted {expectedText}");
        }
        if (status is { Mode: ChipMode.Upgrade } && status.PersistedOffset < expected.AckedPersistedOffset)
        {
            return new ChipRecovery(chip, expectedText, observed, false,
                $"{chip} resumes from offset {status.PersistedOffset}, behind the {expected.AckedPersistedOffset} it had acknowledged as persisted");
        }
        return new ChipRecovery(chip, expectedText, observed, true, null);
    }
}
