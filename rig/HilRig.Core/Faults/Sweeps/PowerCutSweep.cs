using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Core.Bench;
using HilRig.Core.Servers;
using HilRig.Core.Verification;
using HilRig.Core.Wiring;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Faults.Sweeps;

/// <summary>Where a sweep cuts: after every frame of the chip's transfer, or inside every flash operation of the chip.</summary>
public enum SweepKind
{
    /// <summary>The whole device loses power after each frame crossing the link above the chip.</summary>
    FrameBoundary,
    /// <summary>The chip loses power inside each of its flash operations (torn from the seed).</summary>
    FlashOperation,
}

/// <summary>How a sweep runs.</summary>
public sealed record SweepOptions(string ArtifactsDirectory)
{
    /// <summary>Bench line rate for the sweep (high, so each point is short).</summary>
    public int BaudRate { get; init; } = 921600;
    /// <summary>Body size of the sweep's image: small, but more than one sector so mid-transfer mark writes are cut too.</summary>
    public int ImageBodyBytes { get; init; } = 6 * 1024;
    /// <summary>Benches run at once; each point has a bench of its own.</summary>
    public int Parallelism { get; init; } = 2;
    /// <summary>Seed of the torn flash bits.</summary>
    public int Seed { get; init; }
    /// <summary>How long the power stays off at each cut.</summary>
    public TimeSpan CutDuration { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Firmware defects to start the chips with, by chip name (proves a sweep catches them).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ChipDefects { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>Called after each point (progress for long sweeps).</summary>
    public Action<SweepPoint, int>? Progress { get; init; }
}

/// <summary>
/// MCUboot-simulator style: runs the upgrade of one chip once without a fault to count the cut points,
/// then once per point with a single power cut there, each on a fresh bench, and checks every time that
/// every chip comes back in the mode it had persisted and the upgrade finishes byte for byte. No point is skipped.
/// </summary>
public static partial class PowerCutSweep
{
    [GeneratedRegex(@"flash op #(\d+) (erase|program) 0x([0-9A-F]+)\+(\d+)")]
    private static partial Regex FlashOperationLine();

    /// <summary>Runs the sweep and returns its table.</summary>
    public static async Task<SweepReport> RunAsync(BenchWiring wiring, string chip, SweepKind kind, SweepOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(options.ArtifactsDirectory);
        var modelId = wiring.Chip(chip).ModelId;
        var image = SampleImages.Build(modelId, new FirmwareVersion(7, 7, (ushort)options.ImageBodyBytes), options.ImageBodyBytes);
        var imagePath = Path.Combine(options.ArtifactsDirectory, $"sweep-{modelId:x2}.hrim");
        await File.WriteAllBytesAsync(imagePath, image.Encode(), cancellationToken).ConfigureAwait(false);
        var dry = await RunPointAsync(wiring, chip, kind, 0, image, imagePath, options, cancellationToken).ConfigureAwait(false);
        if (!dry.Point.Recovered)
        {
            throw new InvalidOperationException($"the sweep's run without a fault did not succeed: {dry.Point.Problem} (see {dry.Point.ArtifactsDirectory})");
        }
        var count = kind == SweepKind.FrameBoundary ? dry.Frames : dry.FlashOperations;
        if (kind == SweepKind.FlashOperation && count == 0)
        {
            throw new InvalidOperationException($"{chip} logged no flash operation during the sweep's run without a fault: its program must take "
                + "--log-flash-ops and print 'flash op #N erase|program 0xADDR+LEN' per operation, and take --cut-at-flash-op N --seed S "
                + $"(docs/protocol.md §10.5, docs/wiring.md); see {dry.Point.ArtifactsDirectory}");
        }
        var points = new SweepPoint[count];
        var done = 0;
        // A hardware bench is one set of boards: its points run one after the other.
        var parallelism = wiring.Kind == BenchKind.Virtual ? options.Parallelism : 1;
        await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var run = await RunPointAsync(wiring, chip, kind, index, image, imagePath, options, token).ConfigureAwait(false);
                points[index - 1] = run.Point;
                options.Progress?.Invoke(run.Point, Interlocked.Increment(ref done));
            }).ConfigureAwait(false);
        return new SweepReport(kind == SweepKind.FrameBoundary ? "at every frame boundary" : "at every flash operation", chip,
            (int)image.Header.ImageSizeBytes, options.BaudRate, points, clock.Elapsed, options.Seed);
    }

    /// <summary>The flash operations <paramref name="chip"/> logged from <paramref name="sinceMs"/> on ("flash op #N erase|program 0xADDR+LEN", docs/protocol.md §10.5).</summary>
    internal static int FlashOperations(IEnumerable<Timeline.TimelineEvent> events, string chip, double sinceMs) =>
        events.Where(e => e.Source == chip && e.Kind == "log" && e.AtMs >= sinceMs).Count(e => FlashOperationLine().IsMatch(e.Summary));

    private sealed record PointRun(SweepPoint Point, int Frames, int FlashOperations);

    private static async Task<PointRun> RunPointAsync(BenchWiring wiring, string chip, SweepKind kind, int index, FirmwareImage image, string imagePath,
        SweepOptions options, CancellationToken token)
    {
        var modelId = wiring.Chip(chip).ModelId;
        var dir = Path.Combine(options.ArtifactsDirectory, index == 0 ? "dry-run" : $"point-{index:D3}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        await using var bench = BenchFactory.Create(wiring, new BenchOptions(dir) { StartCloud = false, BaudRateOverride = options.BaudRate, ChipDefects = options.ChipDefects });
        await bench.PowerOnAllAsync(token).ConfigureAwait(false);
        await using var engine = new FaultEngine(bench);
        using var accounting = new TransferAccounting(bench);
        var frames = new TransferFrameCounter(modelId);
        bench.RelaysByChip[chip].Observed += o => frames.Count(o);
        if (bench is IEmulatedNodes nodes)
        {
            var launch = nodes.Launch(chip);
            launch.ExtraArguments.Add("--log-flash-ops");
            if (kind == SweepKind.FlashOperation && index > 0)
            {
                launch.NextStartArguments.AddRange(["--cut-at-flash-op", index.ToString(CultureInfo.InvariantCulture), "--seed", options.Seed.ToString(CultureInfo.InvariantCulture)]);
            }
            // Restart the chip so it counts flash operations from here (and takes the planned cut).
            await bench.Power(chip).OffAsync(token).ConfigureAwait(false);
            await bench.Power(chip).OnAsync(token).ConfigureAwait(false);
            await bench.Probe.WaitUntilAnswersAsync(chip, bench.Options.BootTimeout, token).ConfigureAwait(false);
        }
        else if (kind == SweepKind.FlashOperation)
        {
            throw new NotSupportedException($"bench '{wiring.Name}': the sweep over flash operations needs chips that cut their own power inside "
                + "a planned flash operation (the emulated chips of a virtual bench); on this bench sweep the frame boundaries instead");
        }
        var flashLogStart = bench.Timeline.NowMs;
        if (index > 0)
        {
            engine.Arm(kind == SweepKind.FrameBoundary
                ? new FaultSpec(new AtTransferFrame(chip, index), PowerCut.WholeDevice(bench, options.CutDuration))
                : new FaultSpec(new OnFlashOperationCut(chip), new PowerCut([chip], options.CutDuration)));
        }
        else
        {
            _ = engine.Observer;
        }
        var campaign = new CampaignRequest(0x5EE9, [modelId], new Dictionary<string, string> { [modelId.ToString(CultureInfo.InvariantCulture)] = imagePath });
        await bench.Server.SendCampaignAsync(campaign, TimeSpan.FromSeconds(20), token).ConfigureAwait(false);
        ModuleEvent final;
        try
        {
            final = await bench.Server.WaitForEventAsync(ModuleControlServer.IsCampaignEnd,
                "end of the campaign", TimeSpan.FromSeconds(60), token).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            final = new ModuleEvent("campaign-timeout") { Detail = ex.Message };
        }
        var framesSeen = frames.Seen;
        var flashOps = FlashOperations(bench.Timeline.Snapshot(), chip, flashLogStart);
        var outcomes = await engine.OutcomesAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var point = await JudgeAsync(bench, chip, index, image, final, outcomes, accounting.BytesSentAgain(modelId), dir, token).ConfigureAwait(false);
        return new PointRun(point, framesSeen, flashOps);
    }

    private static async Task<SweepPoint> JudgeAsync(IBench bench, string chip, int index, FirmwareImage image, ModuleEvent final,
        IReadOnlyList<FaultOutcome> outcomes, long resent, string dir, CancellationToken token)
    {
        // Awake after the campaign: a loaded machine may keep the chip from answering the first try in time.
        var status = await bench.Probe.QueryStatusWithRetriesAsync(chip, token).ConfigureAwait(false);
        var bricked = status is null || status.ActiveDigest.All(b => b == 0);
        var problems = new List<string>();
        if (index > 0 && !outcomes.Any(o => o.Fired))
        {
            problems.Add(outcomes.Any(o => o.Fault.Trigger is OnFlashOperationCut)
                ? $"the cut never happened: {chip} did not end with exit code {OnFlashOperationCut.PowerCutExitCode} inside flash operation {index} "
                    + "(does its program take --cut-at-flash-op N --seed S? docs/protocol.md §10.5)"
                : "the cut never happened");
        }
        problems.AddRange(outcomes.Where(o => o.Error is not null).Select(o => $"fault failed: {o.Error}"));
        problems.AddRange(outcomes.Where(o => o.Check is { Passed: false }).Select(o => o.Check!.Describe()));
        if (final.Event != "campaign-complete") problems.Add($"campaign ended with {ModuleControlServer.Describe(final)}");
        if (status is null) problems.Add($"{chip} is silent after the campaign");
        else if (status.ActiveVersion != image.Header.Version || !status.ActiveDigest.AsSpan().SequenceEqual(image.Header.BodySha256))
            problems.Add($"{chip} runs {status.ActiveVersion} (body SHA-256 {status.ActiveDigestHex}), not the swept image {image.Header.Version}");
        return new SweepPoint(index, problems.Count == 0, bricked, Math.Max(0, resent), problems.Count == 0 ? null : string.Join("; ", problems), dir);
    }
}
