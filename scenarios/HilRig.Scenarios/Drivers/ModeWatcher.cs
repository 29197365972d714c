using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;

namespace HilRig.Scenarios.Drivers;

/// <summary>What every chip said (or did not say) while one chip was the upgrade target.</summary>
public sealed record ModeSnapshot(string Target, IReadOnlyDictionary<string, StatusPayload?> Statuses);

/// <summary>
/// Watches the relay links during a campaign: when a target's transfer passes a quarter of its image
/// (seen as DATA on the link right above the target), it asks every chip for STATUS through the relays,
/// so modes are learned through the protocol only, mid-transfer.
/// </summary>
public sealed class ModeWatcher : IAsyncDisposable
{
    private readonly IBench _bench;
    private readonly Dictionary<byte, uint> _imageSizes = new();
    private readonly HashSet<byte> _fired = new();
    private readonly List<Task<ModeSnapshot>> _snapshots = new();
    private readonly List<(RelayLink Relay, Action<LinkObservation> Handler)> _handlers = new();
    private readonly CancellationToken _cancellationToken;
    private readonly int _windowBytes;

    /// <summary>Starts watching every relay of <paramref name="bench"/> during a campaign sent with <paramref name="windowBytes"/>.</summary>
    public ModeWatcher(IBench bench, int windowBytes, CancellationToken cancellationToken)
    {
        _bench = bench;
        _windowBytes = windowBytes;
        _cancellationToken = cancellationToken;
        foreach (var (chipName, relay) in bench.RelaysByChip)
        {
            var modelId = bench.Wiring.Chip(chipName).ModelId;
            Action<LinkObservation> handler = o => OnObserved(modelId, chipName, o);
            relay.Observed += handler;
            _handlers.Add((relay, handler));
        }
    }

    private void OnObserved(byte chipId, string chipName, LinkObservation o)
    {
        if (o.Direction != Direction.Downstream || o.Item is not DecodedFrame { Frame: var f })
        {
            return;
        }
        var dst = f.Destination;
        if (f.Type == MessageType.Start && StartPayload.TryDecode(f.Payload, out _) is { } start && start.Target == chipId
            && ImageHeader.TryDecode(start.ImageHeader, out _) is { } header)
        {
            lock (_imageSizes) _imageSizes[chipId] = header.ImageSizeBytes;
        }
        else if (f.Type == MessageType.Data && dst == chipId && f.Payload.Length >= 4)
        {
            var offset = BitConverter.ToUInt32(f.Payload, 0);
            lock (_imageSizes)
            {
                if (_imageSizes.TryGetValue(chipId, out var size) && offset >= size / 4 && _fired.Add(chipId))
                {
                    // Query from a fresh task: this handler runs on the relay's reader and must not block it.
                    _snapshots.Add(Task.Run(() => SnapshotAsync(chipName)));
                }
            }
        }
    }

    private async Task<ModeSnapshot> SnapshotAsync(string target)
    {
        var queries = _bench.Wiring.Chips.Select(async c => (c.Name, Status: await QueryAsync(c.Name).ConfigureAwait(false)));
        var results = await Task.WhenAll(queries).ConfigureAwait(false);
        var snapshot = new ModeSnapshot(target, results.ToDictionary(r => r.Name, r => r.Status));
        // A chip that stays silent for the whole (generous) deadline is in the one mode that answers no STATUS (§6.4).
        var modes = snapshot.Statuses.ToDictionary(s => s.Key, s => s.Value?.Mode ?? ModeMachine.Silent);
        _bench.Timeline.AddModes("rig", modes, $"while {target} is the target: " + string.Join(", ",
            snapshot.Statuses.Select(s => $"{s.Key}={(s.Value is null ? "silent" : s.Value.Mode.ToString())}")));
        return snapshot;
    }

    /// <summary>
    /// One STATUS request per chip, with a deadline long enough for an awake chip that passes a transfer through:
    /// the request is written into the link right above the chip, behind up to one window of DATA already on
    /// its way there (docs/protocol.md §7.3), and a chip reads its line in order. A sleeping chip drops the
    /// request (it never answers late, even if a COMPLETE wakes it afterwards), so waiting long costs only time.
    /// Asking again instead would be wrong: a second request can reach a chip the target's COMPLETE has just woken.
    /// </summary>
    private Task<StatusPayload?> QueryAsync(string chip) =>
        _bench.Probe.QueryStatusAsync(chip, _cancellationToken, AnswerTimeout(_bench.Wiring.UpstreamLink(chip).BaudRate, _windowBytes));

    /// <summary>
    /// How long a chip has to answer before it reads as asleep: twice the time one window takes on the line at
    /// <paramref name="baudRate"/> (10 bits a byte), plus the rig's usual STATUS deadline. At 115200 baud and
    /// the default 16 KiB window that is 3.2 s; a QEMU chip, whose UARTs run at the line rate, has measured
    /// answers of 0.95 s on an idle machine while it forwarded a window.
    /// </summary>
    public static TimeSpan AnswerTimeout(int baudRate, int windowBytes) =>
        ChipProbe.StatusTimeout + TimeSpan.FromSeconds(2 * windowBytes * 10.0 / baudRate);

    /// <summary>Every snapshot taken, in the order the targets came.</summary>
    public async Task<IReadOnlyList<ModeSnapshot>> SnapshotsAsync()
    {
        Task<ModeSnapshot>[] tasks;
        lock (_imageSizes) tasks = _snapshots.ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var (relay, handler) in _handlers) relay.Observed -= handler;
        return ValueTask.CompletedTask;
    }
}
