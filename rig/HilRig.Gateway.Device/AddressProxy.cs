using System.Globalization;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Device;

/// <summary>How a proxy device collects, asks and hands out, and the faults it can be given (docs/cloud.md §5.3).</summary>
public sealed record AddressProxyOptions
{
    /// <summary>How long a round stays open after its first request, unless every member asked sooner.</summary>
    public int CollectWindowMs { get; init; } = 500;

    /// <summary>How long a member waits for its own answer once the master's answer reached the proxy, before it asks the master gateway itself.</summary>
    public int HandOffTimeoutMs { get; init; } = 2_000;

    /// <summary>Fault: the proxy dies after handing out this many answers of a batch (the rest never get theirs from it).</summary>
    public int? DieAfterHandingOut { get; init; }

    /// <summary>Fault: every Nth entry of the master's answer is lost on its way to the proxy (2: the 2nd, 4th, ...).</summary>
    public int? LoseEveryNthAnswer { get; init; }

    /// <summary>Defect: the proxy hands every device the first entry's address instead of its own.</summary>
    public bool HandsEveryoneTheFirstAddress { get; init; }
}

/// <summary>
/// A device of a draining node acting as proxy for others of its logical node (docs/cloud.md §5.3, "Batch requests through a
/// proxy device"): the members' address requests are collected into one <see cref="BatchAddressRequest"/>, the master gateway
/// answers one target per device, and the proxy hands each device its own. A member whose answer never comes (the proxy died,
/// the entry was lost) asks the master gateway itself after <see cref="AddressProxyOptions.HandOffTimeoutMs"/>; the slot the
/// batch gave it is held for it, so it gets the same node and ends on exactly one.
/// </summary>
public sealed class AddressProxy
{
    private readonly object _gate = new();
    private readonly HashSet<string> _members;
    private readonly IMasterGatewayClient _master;
    private readonly AddressProxyOptions _options;
    private readonly DeviceEventSink _sink;
    private readonly string _source;
    private readonly List<BatchAddressAnswer> _answers = [];
    private Round? _round;
    private bool _dead;

    /// <summary>A proxy <paramref name="proxyDeviceId"/> for <paramref name="memberIds"/> of <paramref name="logicalNode"/>.</summary>
    public AddressProxy(string proxyDeviceId, string logicalNode, IEnumerable<string> memberIds, IMasterGatewayClient master, AddressProxyOptions? options = null, DeviceEventSink? sink = null)
    {
        ProxyDeviceId = proxyDeviceId;
        LogicalNode = logicalNode;
        _members = new HashSet<string>(memberIds, StringComparer.Ordinal);
        _master = master;
        _options = options ?? new AddressProxyOptions();
        _sink = sink ?? DeviceEventSinks.None;
        _source = "proxy:" + proxyDeviceId;
    }

    /// <summary>The device acting as proxy.</summary>
    public string ProxyDeviceId { get; }

    /// <summary>The logical node it asks for.</summary>
    public string LogicalNode { get; }

    /// <summary>True once it died (fault): members ask the master gateway themselves.</summary>
    public bool IsDead
    {
        get { lock (_gate) return _dead; }
    }

    /// <summary>The master's answers to the batches sent, in order.</summary>
    public IReadOnlyList<BatchAddressAnswer> Answers
    {
        get { lock (_gate) return [.. _answers]; }
    }

    /// <summary>Where a member device asks (set it as <see cref="GatewayDevice.AddressVia"/>); other devices may not use it.</summary>
    public IMasterGatewayClient ClientFor(string deviceId) =>
        _members.Contains(deviceId) ? new MemberClient(this, deviceId) : throw new ArgumentException($"device '{deviceId}' is not a member of proxy {ProxyDeviceId}", nameof(deviceId));

    private async Task<AddressAnswer> RequestAsync(AddressRequest request, CancellationToken cancellationToken)
    {
        TaskCompletionSource<AddressAnswer?>? mine = null;
        Round? round = null;
        bool closeNow = false, opened = false;
        lock (_gate)
        {
            if (!_dead && request.LogicalNode == LogicalNode) (round, mine, opened, closeNow) = JoinRoundLocked(request);
        }
        if (round is null || mine is null) return await AskAloneAsync(request, "the proxy is gone", cancellationToken).ConfigureAwait(false);
        if (closeNow) _ = Task.Run(() => CloseRoundAsync(cancellationToken), CancellationToken.None);
        else if (opened) _ = Task.Run(async () =>
        {
            // The proxy's own collection window (product behaviour, docs/cloud.md §5.3), not a test waiting for an event.
            await Task.Delay(_options.CollectWindowMs, cancellationToken).ConfigureAwait(false);
            await CloseRoundAsync(cancellationToken).ConfigureAwait(false);
        }, CancellationToken.None);
        AddressAnswer? answer;
        try
        {
            // The round closes within the window; the master's answer then reaches the proxy, and from that moment each
            // member waits at most the hand-off time for its own entry.
            await round.Answered.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.CollectWindowMs + _options.HandOffTimeoutMs), cancellationToken).ConfigureAwait(false);
            answer = await mine.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.HandOffTimeoutMs), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return await AskAloneAsync(request, $"no answer from the proxy within {_options.HandOffTimeoutMs} ms", cancellationToken).ConfigureAwait(false);
        }
        return answer ?? await AskAloneAsync(request, "the proxy's batch failed", cancellationToken).ConfigureAwait(false);
    }

    private (Round Round, TaskCompletionSource<AddressAnswer?> Mine, bool Opened, bool CloseNow) JoinRoundLocked(AddressRequest request)
    {
        var opened = _round is null;
        var round = _round ??= new Round();
        if (!round.Members.TryGetValue(request.DeviceId, out var mine))
        {
            round.Members[request.DeviceId] = mine = new TaskCompletionSource<AddressAnswer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        round.Requests[request.DeviceId] = request;
        return (round, mine, opened, round.Members.Count == _members.Count);
    }

    private async Task<AddressAnswer> AskAloneAsync(AddressRequest request, string why, CancellationToken cancellationToken)
    {
        _sink(_source, "fallback", $"{request.DeviceId} asks the master gateway itself ({why})");
        return await _master.RequestAddressAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task CloseRoundAsync(CancellationToken cancellationToken)
    {
        Round? closing;
        lock (_gate)
        {
            closing = _round;
            _round = null;
        }
        if (closing is null || closing.Members.Count == 0) return;
        var round = closing.Members;
        var ids = round.Keys.ToList();
        // The members' device levels and address priorities travel with the batch, so the master shares it out in its queue's order.
        var priorities = closing.Requests.Values.Where(r => r.DeviceLevel != 0 || r.AddressPriority != 0)
            .Select(r => new DevicePriority(r.DeviceId, r.DeviceLevel, r.AddressPriority)).ToList();
        BatchAddressAnswer batch;
        try
        {
            batch = await _master.RequestAddressesAsync(new BatchAddressRequest(ProxyDeviceId, LogicalNode, ids, priorities.Count == 0 ? null : priorities), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            batch = new BatchAddressAnswer($"failed: {ex.Message}", []);
        }
        lock (_gate) _answers.Add(batch);
        closing.Answered.TrySetResult();
        _sink(_source, "batch", string.Create(CultureInfo.InvariantCulture, $"{ProxyDeviceId} asked for {ids.Count} device(s) of {LogicalNode} in one request: {batch.Status}"));
        if (batch.Status != "answered")
        {
            foreach (var waiting in round.Values) waiting.TrySetResult(null);
            return;
        }
        var handed = 0;
        for (var i = 0; i < batch.Devices.Count; i++)
        {
            var entry = batch.Devices[i];
            if (_options.LoseEveryNthAnswer is { } nth && nth > 0 && (i + 1) % nth == 0)
            {
                _sink(_source, "lost", $"the master's answer for {entry.DeviceId} was lost on its way to {ProxyDeviceId}");
                continue;
            }
            if (!round.TryGetValue(entry.DeviceId, out var waiting)) continue;
            var given = _options.HandsEveryoneTheFirstAddress ? batch.Devices[0] with { DeviceId = entry.DeviceId } : entry;
            waiting.TrySetResult(given.ToAnswer());
            handed++;
            _sink(_source, "hand-out", $"{ProxyDeviceId} handed {entry.DeviceId} {given.NodeId ?? given.Status}");
            if (_options.DieAfterHandingOut is { } limit && handed >= limit)
            {
                lock (_gate) _dead = true;
                _sink(_source, "died", string.Create(CultureInfo.InvariantCulture, $"{ProxyDeviceId} died after handing out {handed} of {batch.Devices.Count} address(es)"));
                return;
            }
        }
    }

    /// <summary>One collection: the members that asked, and the moment the master's answer reached the proxy.</summary>
    private sealed class Round
    {
        public Dictionary<string, TaskCompletionSource<AddressAnswer?>> Members { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, AddressRequest> Requests { get; } = new(StringComparer.Ordinal);
        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class MemberClient(AddressProxy proxy, string deviceId) : IMasterGatewayClient
    {
        public Task<AddressAnswer> RequestAddressAsync(AddressRequest request, CancellationToken cancellationToken) =>
            request.DeviceId == deviceId ? proxy.RequestAsync(request, cancellationToken)
            : throw new ArgumentException($"device '{request.DeviceId}' asked through {deviceId}'s way to proxy {proxy.ProxyDeviceId}", nameof(request));

        public Task<BatchAddressAnswer> RequestAddressesAsync(BatchAddressRequest request, CancellationToken cancellationToken) =>
            proxy._master.RequestAddressesAsync(request, cancellationToken);

        public Task ReportConnectFailedAsync(string failedDeviceId, string nodeId, CancellationToken cancellationToken) =>
            proxy._master.ReportConnectFailedAsync(failedDeviceId, nodeId, cancellationToken);
    }
}
