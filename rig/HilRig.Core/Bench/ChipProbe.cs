using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Bench;

/// <summary>
/// Asks chips for their STATUS from inside the relay link right above each chip, so the answer does not
/// depend on the chips in between. Silence within <see cref="StatusTimeout"/> is an answer too: a
/// sleeping chip does not reply (docs/protocol.md §6.4).
/// </summary>
public sealed class ChipProbe(Wiring.BenchWiring wiring, IReadOnlyDictionary<string, RelayLink> relays)
{
    /// <summary>
    /// How long the rig waits for STATUS_RSP: the protocol gives a chip 50 ms to answer (§7.6), plus the
    /// two frames' time on the line at the slowest bench rate and margin for a loaded CI machine.
    /// </summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromMilliseconds(400);

    private byte _sequence;

    /// <summary>
    /// The deadline of each STATUS try before <see cref="QueryStatusWithRetriesAsync"/> reads silence: the usual 400 ms,
    /// then longer, since a loaded machine can keep an awake chip's process from running for more than a second (seen in
    /// CI-like runs at a load average of 11 on 2 cores). A late answer to an earlier try counts, so silence means 3.4 s of it.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> StatusTries = [StatusTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>The status of every chip right now, by name; null means silence (sleep, or off) through every one of <see cref="StatusTries"/>.</summary>
    public async Task<IReadOnlyDictionary<string, StatusPayload?>> QueryAllAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, StatusPayload?>();
        foreach (var chip in wiring.Chips)
        {
            result[chip.Name] = await QueryStatusWithRetriesAsync(chip.Name, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>The status of one chip right now; null means silence (sleep, or off) through every one of <see cref="StatusTries"/>.</summary>
    public async Task<StatusPayload?> QueryStatusWithRetriesAsync(string chipName, CancellationToken cancellationToken)
    {
        foreach (var timeout in StatusTries)
        {
            if (await QueryStatusAsync(chipName, cancellationToken, timeout).ConfigureAwait(false) is { } status)
            {
                return status;
            }
        }
        return null;
    }

    /// <summary>The chip's status, or null on silence.</summary>
    public async Task<StatusPayload?> QueryStatusAsync(string chipName, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var chip = wiring.Chip(chipName);
        var relay = RelayFor(chipName);
        var frame = await RequestAsync(relay, new Frame(MessageType.StatusRequest, chip.ModelId, Address.Rig, _sequence++, []),
            MessageType.StatusResponse, chip.ModelId, timeout ?? StatusTimeout, cancellationToken).ConfigureAwait(false);
        return frame is null ? null : StatusPayload.TryDecode(frame.Payload, out _);
    }

    /// <summary>
    /// Sets the emulated device body's operating flag (a bench extension message), sending it again after each
    /// of <see cref="StatusTries"/> without a confirming STATUS_RSP: a QEMU chip can take about a
    /// second over its first bytes after a quiet spell, and a loaded machine delays any chip's process.
    /// </summary>
    public async Task<StatusPayload> SetOperatingAsync(string chipName, bool operating, CancellationToken cancellationToken)
    {
        var chip = wiring.Chip(chipName);
        foreach (var timeout in StatusTries)
        {
            var frame = await RequestAsync(RelayFor(chipName),
                new Frame(MessageType.BenchSetOperating, chip.ModelId, Address.Rig, _sequence++, new BenchSetOperatingPayload(operating).Encode()),
                MessageType.StatusResponse, chip.ModelId, timeout, cancellationToken).ConfigureAwait(false);
            if (frame is not null && StatusPayload.TryDecode(frame.Payload, out _) is { } status && status.Operating == operating)
            {
                return status;
            }
        }
        throw new TimeoutException($"{chipName} (0x{chip.ModelId:X2}) did not confirm BENCH_SET_OPERATING={operating} on link {RelayFor(chipName).Name} "
            + $"within {StatusTries.Sum(t => t.TotalSeconds):0.#} s ({StatusTries.Count} tries)");
    }

    /// <summary>Polls STATUS until the chip answers (after power-on); throws naming the chip and link on timeout.</summary>
    public async Task<StatusPayload> WaitUntilAnswersAsync(string chipName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var relay = RelayFor(chipName);
        // What came up from the chip that was not a frame: a chip that frames its answers wrongly is told so, not only "silent".
        var garbage = new List<SkippedBytes>();
        var modelId = wiring.Chip(chipName).ModelId;
        // Not disposed: an observation racing the unsubscription may still release it (it holds no wait handle).
        var answered = new SemaphoreSlim(0);
        var answers = 0;
        void OnObserved(LinkObservation o)
        {
            if (o.Direction == Direction.Upstream && o.Item is SkippedBytes skipped) lock (garbage) garbage.Add(skipped);
            if (o.Direction == Direction.Upstream && o.Item is DecodedFrame { Frame: { Type: MessageType.StatusResponse } f } && f.Source == modelId && f.Destination == Address.Rig)
            {
                Interlocked.Increment(ref answers);
                answered.Release();
            }
        }
        relay.Observed += OnObserved;
        try
        {
            var polls = 0;
            while (DateTime.UtcNow < deadline)
            {
                polls++;
                if (await QueryStatusAsync(chipName, cancellationToken, TimeSpan.FromMilliseconds(200)).ConfigureAwait(false) is { } status)
                {
                    // A chip whose process started late (a loaded machine, benches in parallel) finds the earlier polls queued
                    // on its UART and answers each of them at once: those answers come up now, while the rig still waits,
                    // not into the scenario's first steps (a conformance step that expects silence upstream saw them). The
                    // wait ends when every poll is answered, or when StatusTimeout passes with no further answer.
                    while (Volatile.Read(ref answers) < polls && await answered.WaitAsync(StatusTimeout, cancellationToken).ConfigureAwait(false))
                    {
                    }
                    return status;
                }
            }
        }
        finally
        {
            relay.Observed -= OnObserved;
        }
        string seen;
        lock (garbage)
        {
            seen = garbage.Count == 0 ? "" : $"; it sent {garbage.Sum(g => g.Raw.Length)} byte(s) that are not a valid frame (docs/protocol.md §3), first: {garbage[0].Reason}, "
                + $"{Convert.ToHexString(garbage[0].Raw.AsSpan(0, Math.Min(16, garbage[0].Raw.Length)))}";
        }
        throw new TimeoutException($"{chipName} did not answer STATUS within {timeout.TotalSeconds:0.#} s after power-on (link {relay.Name}){seen}; see its log");
    }

    private RelayLink RelayFor(string chipName) => relays.TryGetValue(chipName, out var relay) ? relay
        : throw new InvalidOperationException($"chip {chipName} has no relay link above it (rig: relay), so the rig cannot query it");

    private static async Task<Frame?> RequestAsync(RelayLink relay, Frame request, MessageType answer, byte from, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnObserved(LinkObservation o)
        {
            if (o.Direction == Direction.Upstream && o.Item is DecodedFrame { Frame: var f }
                && f.Type == answer && f.Source == from && f.Destination == Address.Rig)
            {
                reply.TrySetResult(f);
            }
        }
        relay.Observed += OnObserved;
        try
        {
            relay.Inject(request, Direction.Downstream);
            return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            relay.Observed -= OnObserved;
        }
    }
}
