using System.Diagnostics;
using System.Globalization;
using HilRig.Bench.Flash;
using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Verification;
using HilRig.Gherkin;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Scenarios.Drivers;

/// <summary>One thing a chip put on one of its ports after the rig's frame, as the relay on that port saw it.</summary>
/// <param name="Direction">Upstream (what the chip sent up) or downstream (what it sent down).</param>
/// <param name="Item">The frame or the undecodable bytes, as the relay saw them.</param>
/// <param name="AfterMs">Milliseconds after the rig's frame was handed to the relay.</param>
/// <param name="Port">The chip's port: "upstream", or the name of the chip on that downstream port.</param>
public sealed record PortOutput(Direction Direction, DecodedItem Item, double AfterMs, string Port);

/// <summary>
/// Drives one chip with frames the rig injects on either of its sides and watches both sides: the relay above the chip
/// sees what it sends upstream, the relays below it see what it sends on each downstream port (docs/protocol.md §12).
/// </summary>
public sealed class ConformanceDriver(BenchDriver bench)
{
    private readonly List<PortOutput> _outputs = new();
    private readonly List<(RelayLink Relay, Action<LinkObservation> Handler)> _watching = new();
    private readonly Stopwatch _since = new();

    /// <summary>The chip under test, once a frame was sent to it.</summary>
    public string? Chip { get; private set; }

    /// <summary>The bytes the rig sent last.</summary>
    public byte[] Sent { get; private set; } = [];

    /// <summary>The frames the rig sent last (one, or the run of frames of <see cref="SendFrames"/>).</summary>
    public IReadOnlyList<byte[]> SentFrames { get; private set; } = [];

    /// <summary>The image of the campaign the rig started on the chip (its START's header and its DATA).</summary>
    public FirmwareImage? Image { get; set; }

    /// <summary>The image's bytes as the rig sends them in DATA (damaged on purpose in some scenarios).</summary>
    public byte[]? ImageBytes { get; set; }

    /// <summary>The campaign the rig started on the chip itself, if it did.</summary>
    public uint? CampaignId { get; set; }

    /// <summary>The image offset the rig's next DATA frame starts at.</summary>
    public int NextOffset { get; set; }

    /// <summary>The START frame that made the chip a target, to send again.</summary>
    public byte[]? LastStart { get; set; }

    /// <summary>What the chip said of itself before the scenario's frame (null while it slept).</summary>
    public StatusPayload? StatusBefore { get; set; }

    /// <summary>The campaign the rig runs on a chip itself (the module's part played by the rig).</summary>
    public const uint RigCampaign = 0x7007;

    /// <summary>A START of <paramref name="campaign"/> for <paramref name="target"/>, carrying the header of a 4 KiB sample image of version 1.1.0.</summary>
    public static byte[] StartFrame(uint campaign, byte target, byte sequence) =>
        new Frame(MessageType.Start, Address.Broadcast, Address.Rig, sequence,
            new StartPayload(campaign, target, SampleImages.Build(target, new FirmwareVersion(1, 1, 0), 4096).Header.Encode()).Encode()).Encode();

    /// <summary>
    /// Makes <paramref name="chip"/> the target of the rig's campaign from upstream: remembers what it said of itself before,
    /// the image (with one body byte changed when <paramref name="damaged"/>: its digest no longer matches, §7.4) and the
    /// START, and sends the START.
    /// </summary>
    public async Task StartTargetAsync(string chip, bool damaged, CancellationToken cancellationToken)
    {
        var model = bench.Chip(chip).ModelId;
        StatusBefore = await bench.Bench.Probe.QueryStatusWithRetriesAsync(chip, cancellationToken).ConfigureAwait(false);
        Image = SampleImages.Build(model, new FirmwareVersion(1, 1, 0), 4096);
        ImageBytes = Image.Encode();
        if (damaged)
        {
            ImageBytes[ImageHeader.SizeBytes + 100] ^= 0x5A;
        }
        CampaignId = RigCampaign;
        NextOffset = 0;
        LastStart = StartFrame(RigCampaign, model, 0x43);
        Send(chip, LastStart, fromUpstream: true);
    }

    /// <summary>Sends the image's bytes from <see cref="NextOffset"/> up to <paramref name="end"/> in DATA frames of <paramref name="chunk"/> bytes; returns how many.</summary>
    public int SendImageData(string chip, int end, int chunk)
    {
        var image = ImageBytes ?? throw new InvalidOperationException("no START made the chip a target in this scenario");
        var model = bench.Chip(chip).ModelId;
        var frames = new List<byte[]>();
        for (var offset = NextOffset; offset < end; offset += chunk)
        {
            var bytes = image.AsSpan(offset, Math.Min(chunk, end - offset)).ToArray();
            frames.Add(new Frame(MessageType.Data, model, Address.Rig, (byte)(offset / chunk), new DataPayload((uint)offset, bytes).Encode()).Encode());
        }
        NextOffset = end;
        SendFrames(chip, frames, fromUpstream: true);
        return frames.Count;
    }

    /// <summary>Sends a run of frames back to back into the chip (see <see cref="Send"/>).</summary>
    public void SendFrames(string chip, IReadOnlyList<byte[]> frames, bool fromUpstream)
    {
        Send(chip, [.. frames.SelectMany(f => f)], fromUpstream);
        SentFrames = frames;
    }

    /// <summary>
    /// Switches the chip off and on, and waits until it has booted as far as the bench can tell (on boards, which give no
    /// boot record, for as long as the recovery verifier gives a chip to wake).
    /// </summary>
    public async Task PowerCycleAsync(string chip, CancellationToken cancellationToken)
    {
        var power = bench.Bench.Power(chip);
        await power.OffAsync(cancellationToken).ConfigureAwait(false);
        await power.OnAsync(cancellationToken).ConfigureAwait(false);
        await bench.Bench.WaitBootedAsync(chip, cancellationToken).ConfigureAwait(false);
        if (bench.Bench is not IEmulatedNodes)
        {
            await Task.Delay(RecoveryVerifier.AwakeGrace, cancellationToken).ConfigureAwait(false);
        }
    }

    private TaskCompletionSource<int>? _ended;

    /// <summary>
    /// Restarts the chip so that the power fails inside its <paramref name="operation"/>th flash operation from now
    /// (docs/protocol.md §10.5), with a seed that tears that operation part-way (some bytes done, not all). Needs the
    /// emulated chips' test hook: on a bench of boards the scenario is skipped.
    /// </summary>
    public async Task ArmFlashCutAsync(string chip, int operation, CancellationToken cancellationToken)
    {
        if (bench.Bench is not IEmulatedNodes nodes)
        {
            throw new SkipScenarioException($"bench '{bench.Wiring.Name}' runs boards: a cut inside a planned flash operation needs chips that cut their own power (the emulated chips of a virtual bench)");
        }
        var sector = bench.Chip(chip).Flash.SectorSizeBytes;
        var seed = Enumerable.Range(1, 10_000).First(s => FlashFaultPlan.TornPrefixBytes(s, operation, sector) is > 0 and var k && k < sector);
        var ended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        nodes.NodeEndedByItself += (node, code) => { if (node == chip) ended.TrySetResult(code); };
        _ended = ended;
        nodes.Launch(chip).NextStartArguments.AddRange(["--cut-at-flash-op", operation.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        await PowerCycleAsync(chip, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the chip cut its own power (exit code 86, §10.5), then switches it on again; false when it never cut.</summary>
    public async Task<bool> ComeBackAfterFlashCutAsync(string chip, TimeSpan within, CancellationToken cancellationToken)
    {
        var ended = _ended ?? throw new InvalidOperationException("no cut inside a flash operation was planned in this scenario");
        bool cut;
        try
        {
            cut = await ended.Task.WaitAsync(within, cancellationToken).ConfigureAwait(false) == Core.Faults.OnFlashOperationCut.PowerCutExitCode;
        }
        catch (TimeoutException)
        {
            cut = false;
        }
        await PowerCycleAsync(chip, cancellationToken).ConfigureAwait(false);
        return cut;
    }

    /// <summary>Everything the chip put on its ports since the rig's last frame.</summary>
    public IReadOnlyList<PortOutput> Outputs
    {
        get { lock (_outputs) return _outputs.ToList(); }
    }

    /// <summary>Sends raw bytes into <paramref name="chip"/>'s upstream port (from the module's side) or one of its downstream ports.</summary>
    public void Send(string chip, byte[] bytes, bool fromUpstream)
    {
        Watch(chip);
        Sent = bytes;
        SentFrames = [bytes];
        lock (_outputs) _outputs.Clear();
        _since.Restart();
        if (fromUpstream)
        {
            Above(chip).InjectRaw(bytes, Direction.Downstream);
        }
        else
        {
            Below(chip)[0].InjectRaw(bytes, Direction.Upstream);
        }
    }

    /// <summary>
    /// What the chip put on its ports in <paramref name="direction"/> within <paramref name="within"/> of the rig's frame:
    /// returned as soon as <paramref name="until"/> holds of it, or when the time is up (at once when the time is up already;
    /// with no <paramref name="until"/>, only then).
    /// </summary>
    public async Task<IReadOnlyList<PortOutput>> OutputsAsync(Direction direction, TimeSpan within, Func<IReadOnlyList<PortOutput>, bool>? until, CancellationToken cancellationToken)
    {
        var deadline = within - _since.Elapsed;
        if (until is not null)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnAny() { if (until(Outputs.Where(o => o.Direction == direction).ToList())) seen.TrySetResult(); }
            _anyOutput += OnAny;
            try
            {
                OnAny();
                if (deadline > TimeSpan.Zero) await seen.Task.WaitAsync(deadline, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                _anyOutput -= OnAny;
            }
        }
        else if (deadline > TimeSpan.Zero)
        {
            // Nothing to wait for: the rule is that nothing comes within the time.
            await Task.Delay(deadline, cancellationToken).ConfigureAwait(false);
        }
        return Outputs.Where(o => o.Direction == direction && o.AfterMs <= within.TotalMilliseconds).ToList();
    }

    private event Action? _anyOutput;

    /// <summary>
    /// Waits until the chip's ports have been quiet for <paramref name="quiet"/> (the answers of the chips behind it to the
    /// rig's last frame have passed), at most <paramref name="limit"/>; false when they never went quiet.
    /// </summary>
    public async Task<bool> SettleAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!_since.IsRunning) return true; // the rig has sent nothing: nothing to wait for
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var last = Outputs.Select(o => o.AfterMs).DefaultIfEmpty(0).Max();
            var idle = _since.Elapsed.TotalMilliseconds - last;
            if (idle >= quiet.TotalMilliseconds) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(10, quiet.TotalMilliseconds - idle)), cancellationToken).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>
    /// How long <paramref name="chip"/> takes to answer STATUS_REQ sent from upstream, each of <paramref name="count"/>
    /// times: from the request handed to its UART to the whole answer back, less the answer's own time on the line.
    /// </summary>
    public async Task<IReadOnlyList<double>> StatusAnswerTimesAsync(string chip, int count, CancellationToken cancellationToken)
    {
        var relay = Above(chip);
        var modelId = bench.Chip(chip).ModelId;
        var baud = bench.Wiring.UpstreamLink(chip).BaudRate;
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var answer = new TaskCompletionSource<(double AtMs, int Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnObserved(LinkObservation o)
            {
                if (o.Direction == Direction.Upstream && o.Item is DecodedFrame { Frame: { Type: MessageType.StatusResponse } f } && f.Source == modelId)
                {
                    answer.TrySetResult((o.AtMs, o.Item.Raw.Length));
                }
            }
            relay.Observed += OnObserved;
            try
            {
                var sentAt = bench.Bench.Timeline.NowMs;
                relay.Inject(new Frame(MessageType.StatusRequest, modelId, Address.Rig, (byte)(0x60 + i), []), Direction.Downstream);
                var (atMs, bytes) = await answer.Task.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                // The answer's own bytes on the line (8N1: 10 bits a byte) are not the chip's delay.
                times.Add(atMs - sentAt - bytes * 10_000.0 / baud);
            }
            catch (TimeoutException)
            {
                times.Add(double.PositiveInfinity);
            }
            finally
            {
                relay.Observed -= OnObserved;
            }
        }
        return times;
    }

    private RelayLink Above(string chip) => bench.Bench.RelaysByChip.TryGetValue(chip, out var relay) ? relay
        : throw new InvalidOperationException($"{chip} has no relay link above it (rig: relay), so the rig cannot send to it from upstream");

    private List<RelayLink> Below(string chip)
    {
        var relays = bench.Wiring.Children(chip).Where(bench.Bench.RelaysByChip.ContainsKey).Select(c => bench.Bench.RelaysByChip[c]).ToList();
        return relays.Count > 0 ? relays
            : throw new InvalidOperationException($"{chip} has no relay link below it on bench {bench.Wiring.Name}: pick a chip with a chip behind it");
    }

    private void Watch(string chip)
    {
        if (Chip == chip) return;
        foreach (var (relay, handler) in _watching) relay.Observed -= handler;
        _watching.Clear();
        Chip = chip;
        Add(Above(chip), Direction.Upstream, "upstream");
        foreach (var child in bench.Wiring.Children(chip).Where(bench.Bench.RelaysByChip.ContainsKey)) Add(bench.Bench.RelaysByChip[child], Direction.Downstream, child);
    }

    /// <summary>The chip on the downstream port the rig sends to from below (the first one).</summary>
    public string FirstChildBelow(string chip) => bench.Wiring.Children(chip).First(bench.Bench.RelaysByChip.ContainsKey);

    private void Add(RelayLink relay, Direction direction, string port)
    {
        Action<LinkObservation> handler = o =>
        {
            if (o.Direction != direction) return;
            lock (_outputs) _outputs.Add(new PortOutput(direction, o.Item, _since.Elapsed.TotalMilliseconds, port));
            _anyOutput?.Invoke();
        };
        relay.Observed += handler;
        _watching.Add((relay, handler));
    }
}
