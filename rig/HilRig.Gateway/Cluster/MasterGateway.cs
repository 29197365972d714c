using System.Globalization;
using HilRig.Gateway.Device;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The device master gateway (docs/cloud.md §5.3): gives each device an upgraded access node of its
/// logical node with room. A node is full ("locked") when its slots (connected devices plus
/// assigned ones not yet connected) reach its capacity; requests spill to the next upgraded node in
/// bind order; when none has room they wait, those over a priority threshold first, then by request
/// time moved earlier by priority bumps (<see cref="RequestPriority"/>), and are answered "retry" after
/// <see cref="MasterGatewayOptions.MaxWaitMs"/>. A proxy's batch is shared out in the same order.
/// Nothing is ever assigned over capacity.
/// </summary>
public sealed class MasterGateway : IMasterGatewayClient, IAccessNodeObserver, IDisposable
{
    private const string Source = "master-gateway";
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly NodeBindings _bindings;
    private readonly MasterGatewayOptions _options;
    private readonly ServerEventSink _sink;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Dictionary<string, Slot>> _slots = new(StringComparer.Ordinal);
    private readonly SortedSet<Waiter> _waiting = new(WaiterOrder.Instance);
    private readonly Dictionary<string, int> _waitingPerLogical = new(StringComparer.Ordinal);
    private readonly ITimer _sweepTimer;
    private long _sequence;

    /// <summary>A master gateway over the GMS's binding table.</summary>
    public MasterGateway(NodeBindings bindings, MasterGatewayOptions options, ServerEventSink sink, TimeProvider? time = null)
    {
        _bindings = bindings;
        _options = options;
        _sink = sink;
        _time = time ?? TimeProvider.System;
        Thresholds = options.Thresholds;
        _bindings.Changed += GrantWaiting;
        _sweepTimer = _time.CreateTimer(_ => SweepExpiredReservations(), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>Where pending-command counts come from (the command dispatcher); none counts 0.</summary>
    public IPendingCommandSource? PendingCommands { get; set; }

    /// <summary>Over which counts a request jumps to the front; starts as <see cref="MasterGatewayOptions.Thresholds"/>. A request is ranked when it arrives.</summary>
    public PriorityThresholds Thresholds { get; set; }

    /// <summary>Which devices may ask; null accepts any.</summary>
    public Func<string, bool>? IsKnownDevice { get; set; }

    /// <summary>Requests waiting for room now.</summary>
    public int WaitingCount
    {
        get { lock (_gate) return _waiting.Count; }
    }

    /// <summary>Slots taken on a node (connected devices plus assigned ones not yet connected).</summary>
    public int Load(string nodeId)
    {
        lock (_gate) return _slots.TryGetValue(nodeId, out var slots) ? slots.Count : 0;
    }

    /// <summary>True when the node's slots have reached its capacity: requests spill past it.</summary>
    public bool IsLocked(AccessNode node) => Load(node.NodeId) >= node.Capacity;

    /// <summary>The nodes a request for <paramref name="logicalNode"/> may get, in the order they are tried: bound, accepting, running the newest version bound there.</summary>
    public IReadOnlyList<AccessNode> Candidates(string logicalNode)
    {
        var accepting = _bindings.BoundTo(logicalNode).Where(n => n.Accepting).ToList();
        if (accepting.Count == 0) return [];
        var newest = accepting.Select(n => ParseVersion(n.Version)).Max()!;
        return accepting.Where(n => ParseVersion(n.Version) == newest).ToList();
    }

    /// <inheritdoc />
    public async Task<AddressAnswer> RequestAddressAsync(AddressRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.DeviceId) || IsKnownDevice?.Invoke(request.DeviceId) == false)
        {
            _sink(Source, "refused", $"address request from unknown device '{request.DeviceId}'");
            return new AddressAnswer("unknown-device");
        }
        if (!_bindings.Contains(request.LogicalNode))
        {
            _sink(Source, "refused", $"address request from {request.DeviceId} for unknown logical node '{request.LogicalNode}'");
            return new AddressAnswer("unknown-logical-node");
        }
        var now = _time.GetUtcNow();
        var pending = PendingCommands?.PendingCommandCount(request.DeviceId) ?? 0;
        var thresholds = Thresholds;
        Waiter waiter;
        lock (_gate)
        {
            // Room and nobody of this logical node waiting: served at once (order only matters among waiters).
            if (!_waitingPerLogical.ContainsKey(request.LogicalNode) && TryAssignLocked(request, out var answer)) return answer;
            if (_options.MaxWaitMs <= 0) return Retry(request, "no room");
            var priority = RequestPriority.Of(pending, request.DeviceLevel, request.AddressPriority, now.UtcTicks, ++_sequence, _options, thresholds);
            waiter = new Waiter(request, now, priority);
            _waiting.Add(waiter);
            _waitingPerLogical[request.LogicalNode] = _waitingPerLogical.GetValueOrDefault(request.LogicalNode) + 1;
            GrantWaitingLocked();
        }
        _sink(Source, "wait", string.Create(CultureInfo.InvariantCulture,
            $"{request.DeviceId} waits for room in {request.LogicalNode} (pending {pending}, level {request.DeviceLevel}, address priority {request.AddressPriority}): {waiter.Priority.Describe(now.UtcTicks)}"));
        try
        {
            return await waiter.Answer.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.MaxWaitMs), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                if (RemoveWaiterLocked(waiter))
                {
                    if (ex is OperationCanceledException) throw;
                    return Retry(request, $"waited {_options.MaxWaitMs} ms");
                }
            }
            // Granted just as the wait ended: keep the answer, or give the slot back when the caller is gone.
            var granted = await waiter.Answer.Task.ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                Release(request.DeviceId, granted.NodeId!);
                throw;
            }
            return granted;
        }
    }

    /// <inheritdoc />
    public Task<BatchAddressAnswer> RequestAddressesAsync(BatchAddressRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.ProxyDeviceId) || IsKnownDevice?.Invoke(request.ProxyDeviceId) == false)
        {
            _sink(Source, "refused", $"batch address request from unknown proxy device '{request.ProxyDeviceId}'");
            return Task.FromResult(new BatchAddressAnswer("unknown-device", []));
        }
        if (!_bindings.Contains(request.LogicalNode))
        {
            _sink(Source, "refused", $"batch address request from {request.ProxyDeviceId} for unknown logical node '{request.LogicalNode}'");
            return Task.FromResult(new BatchAddressAnswer("unknown-logical-node", []));
        }
        var duplicate = request.DeviceIds.GroupBy(d => d, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (request.DeviceIds.Count == 0 || request.DeviceIds.Any(string.IsNullOrEmpty) || duplicate is not null)
        {
            var why = request.DeviceIds.Count == 0 ? "no device" : duplicate is not null ? $"device '{duplicate}' twice" : "an empty device id";
            _sink(Source, "refused", $"batch address request from {request.ProxyDeviceId}: {why}");
            return Task.FromResult(new BatchAddressAnswer("bad-request", []));
        }
        var answers = new Dictionary<string, DeviceAddressAnswer>(StringComparer.Ordinal);
        var ranks = RankBatch(request);
        lock (_gate)
        {
            var candidates = Candidates(request.LogicalNode);
            var fresh = new List<string>();
            foreach (var deviceId in request.DeviceIds)
            {
                if (IsKnownDevice?.Invoke(deviceId) == false) answers[deviceId] = new DeviceAddressAnswer(deviceId, "unknown-device");
                else if (candidates.FirstOrDefault(n => SlotsOf(n.NodeId).ContainsKey(deviceId)) is { } held) answers[deviceId] = Assigned(deviceId, held);
                else fresh.Add(deviceId);
            }
            // The batch's devices arrived together: shared out as the queue would serve them, so when room is short the
            // devices over a threshold, then the highest bumps, get it and the rest are told to retry (rule 4).
            fresh.Sort((x, y) => RequestPriority.Order.Compare(ranks[x], ranks[y]));
            var shares = BatchAllocation.Plan([.. candidates.Select(n => (n.NodeId, n.Capacity - SlotsOf(n.NodeId).Count))], fresh.Count, out var locked);
            if (locked is not null)
            {
                _sink(Source, "locked", $"{locked} cannot take the batch of {fresh.Count} from {request.ProxyDeviceId} whole; locked for it");
            }
            var next = 0;
            var deadline = _time.GetUtcNow().AddMilliseconds(_options.ReservationTimeoutMs);
            foreach (var share in shares)
            {
                var node = candidates.First(n => n.NodeId == share.NodeId);
                var slots = SlotsOf(node.NodeId);
                foreach (var deviceId in fresh.Skip(next).Take(share.Count))
                {
                    slots[deviceId] = new Slot(node.IsConnected(deviceId), deadline);
                    answers[deviceId] = Assigned(deviceId, node);
                }
                next += share.Count;
                if (slots.Count >= node.Capacity) _sink(Source, "locked", $"{node.NodeId} is full ({node.Capacity}) and locked");
            }
            foreach (var deviceId in fresh.Skip(next)) answers[deviceId] = new DeviceAddressAnswer(deviceId, "retry", RetryAfterMs: _options.RetryAfterMs);
        }
        var ordered = request.DeviceIds.Select(d => answers[d]).ToList();
        var summary = string.Join(", ", ordered.GroupBy(a => a.NodeId ?? a.Status).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} → {g.Key}")));
        _sink(Source, "batch", string.Create(CultureInfo.InvariantCulture, $"{request.ProxyDeviceId} asked for {ordered.Count} device(s) of {request.LogicalNode}: {summary}"));
        return Task.FromResult(new BatchAddressAnswer("answered", ordered));

        static DeviceAddressAnswer Assigned(string deviceId, AccessNode node) => new(deviceId, "assigned", node.NodeId, node.Address);
    }

    /// <summary>Each device of a batch ranked as a single request arriving now (request order breaks ties).</summary>
    private Dictionary<string, RequestPriority> RankBatch(BatchAddressRequest request)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var thresholds = Thresholds;
        var given = (request.Priorities ?? []).GroupBy(p => p.DeviceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return request.DeviceIds.Select((deviceId, i) =>
        {
            var priority = given.GetValueOrDefault(deviceId);
            var rank = RequestPriority.Of(PendingCommands?.PendingCommandCount(deviceId) ?? 0, priority?.DeviceLevel ?? 0, priority?.AddressPriority ?? 0, now, i, _options, thresholds);
            return (deviceId, rank);
        }).ToDictionary(p => p.deviceId, p => p.rank, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public Task ReportConnectFailedAsync(string deviceId, string nodeId, CancellationToken cancellationToken)
    {
        _sink(Source, "release", $"{deviceId} could not connect to {nodeId}; its slot is freed");
        Release(deviceId, nodeId);
        return Task.CompletedTask;
    }

    Task IAccessNodeObserver.OnDeviceConnectedAsync(AccessNode node, string deviceId)
    {
        lock (_gate) SlotsOf(node.NodeId)[deviceId] = new Slot(Connected: true, DateTimeOffset.MaxValue);
        return Task.CompletedTask;
    }

    Task IAccessNodeObserver.OnDeviceGoneAsync(AccessNode node, string deviceId, bool clean)
    {
        Release(deviceId, node.NodeId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _sweepTimer.Dispose();

    private void Release(string deviceId, string nodeId)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(nodeId, out var slots) && slots.Remove(deviceId)) GrantWaitingLocked();
        }
    }

    private void GrantWaiting()
    {
        lock (_gate) GrantWaitingLocked();
    }

    private void GrantWaitingLocked()
    {
        if (_waiting.Count == 0) return;
        var full = new HashSet<string>(StringComparer.Ordinal);
        var granted = new List<(Waiter Waiter, AddressAnswer Answer)>();
        foreach (var waiter in _waiting)
        {
            if (full.Contains(waiter.Request.LogicalNode)) continue;
            if (TryAssignLocked(waiter.Request, out var answer)) granted.Add((waiter, answer));
            else full.Add(waiter.Request.LogicalNode);
        }
        var now = _time.GetUtcNow();
        foreach (var (waiter, answer) in granted)
        {
            RemoveWaiterLocked(waiter);
            _sink(Source, "served", string.Create(CultureInfo.InvariantCulture,
                $"{waiter.Request.DeviceId} served {answer.NodeId} after waiting {(now - waiter.RequestedAt).TotalMilliseconds:0} ms{(waiter.Priority.JumpsToFront ? " (jumped to the front)" : "")}"));
            waiter.Answer.TrySetResult(answer);
        }
    }

    private bool TryAssignLocked(AddressRequest request, out AddressAnswer answer)
    {
        var candidates = Candidates(request.LogicalNode);
        // A device that holds a slot (given it in a proxy's batch it never got, for one) gets that node again: never two slots.
        if (candidates.FirstOrDefault(n => SlotsOf(n.NodeId).ContainsKey(request.DeviceId)) is { } held)
        {
            answer = new AddressAnswer("assigned", held.NodeId, held.Address);
            return true;
        }
        foreach (var node in candidates)
        {
            var slots = SlotsOf(node.NodeId);
            if (!slots.ContainsKey(request.DeviceId))
            {
                if (slots.Count >= node.Capacity) continue; // locked: spill to the next upgraded node
                slots[request.DeviceId] = new Slot(node.IsConnected(request.DeviceId), _time.GetUtcNow().AddMilliseconds(_options.ReservationTimeoutMs));
                if (slots.Count == node.Capacity) _sink(Source, "locked", $"{node.NodeId} is full ({node.Capacity}) and locked");
            }
            answer = new AddressAnswer("assigned", node.NodeId, node.Address);
            return true;
        }
        answer = new AddressAnswer("retry", RetryAfterMs: _options.RetryAfterMs);
        return false;
    }

    private AddressAnswer Retry(AddressRequest request, string why)
    {
        _sink(Source, "retry", $"{request.DeviceId}: no node of {request.LogicalNode} has room ({why}); retry in {_options.RetryAfterMs} ms");
        return new AddressAnswer("retry", RetryAfterMs: _options.RetryAfterMs);
    }

    private bool RemoveWaiterLocked(Waiter waiter)
    {
        if (!_waiting.Remove(waiter)) return false;
        var logical = waiter.Request.LogicalNode;
        if (--_waitingPerLogical[logical] == 0) _waitingPerLogical.Remove(logical);
        return true;
    }

    private Dictionary<string, Slot> SlotsOf(string nodeId)
    {
        if (!_slots.TryGetValue(nodeId, out var slots)) _slots[nodeId] = slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        return slots;
    }

    private void SweepExpiredReservations()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var freed = 0;
            foreach (var slots in _slots.Values)
            {
                foreach (var (deviceId, slot) in slots.Where(s => !s.Value.Connected && s.Value.Deadline < now).ToList())
                {
                    slots.Remove(deviceId);
                    freed++;
                }
            }
            if (freed > 0)
            {
                _sink(Source, "release", $"{freed} assigned slot(s) never connected within {_options.ReservationTimeoutMs} ms; freed");
                GrantWaitingLocked();
            }
        }
    }

    private static Version ParseVersion(string version) => Version.TryParse(version, out var v) ? v : new Version(0, 0);

    private sealed record Slot(bool Connected, DateTimeOffset Deadline);

    private sealed class Waiter(AddressRequest request, DateTimeOffset requestedAt, RequestPriority priority)
    {
        public AddressRequest Request { get; } = request;
        public DateTimeOffset RequestedAt { get; } = requestedAt;
        public RequestPriority Priority { get; } = priority;
        public TaskCompletionSource<AddressAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The queue's order (<see cref="RequestPriority.Order"/>); the sequence makes every waiter distinct.</summary>
    private sealed class WaiterOrder : IComparer<Waiter>
    {
        public static readonly WaiterOrder Instance = new();

        public int Compare(Waiter? x, Waiter? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            return RequestPriority.Order.Compare(x.Priority, y.Priority);
        }
    }
}
