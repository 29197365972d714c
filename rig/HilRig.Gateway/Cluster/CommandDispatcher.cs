using System.Collections.Concurrent;
using System.Globalization;
using HilRig.Protocol.Cloud;
using HilRig.Servers;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The vendor backend's side of the gateway cluster (docs/cloud.md §5.4): sends commands, each
/// with a unique id, through whichever access node a device is ready on; queues them while the
/// device is draining or reconnecting and sends the queue, in order, once it is ready again on a
/// node. A command sent through a node the device then left without answering is sent again on
/// the next node (the device answers a known id from its cache and does not run it twice).
/// </summary>
public sealed class CommandDispatcher : IAccessNodeObserver, IPendingCommandSource
{
    private const string Source = "dispatcher";

    private readonly ConcurrentDictionary<string, DeviceLine> _lines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommandReply>> _commands = new(StringComparer.Ordinal);
    private readonly ServerEventSink _sink;
    private long _nextId;
    private long _queued;
    private long _resent;
    private long _duplicateReplies;
    private long _unknownReplies;

    /// <summary>A dispatcher reporting to <paramref name="sink"/>.</summary>
    public CommandDispatcher(ServerEventSink sink) => _sink = sink;

    // The counts are read off the commands' own replies, never kept beside them: a counter bumped after the reply
    // wakes its waiter can be read by that waiter before the bump (the rollback scenario once saw "1 of 5 commands
    // were never answered" with all five answered).

    /// <summary>Commands submitted.</summary>
    public long Sent => _commands.Count;
    /// <summary>Commands answered (first reply).</summary>
    public long Completed => _commands.Values.Count(c => c.Task.IsCompleted);
    /// <summary>Commands submitted and not answered (yet).</summary>
    public long Unanswered => _commands.Values.Count(c => !c.Task.IsCompleted);
    /// <summary>Commands that had to wait in the queue because the device was draining or reconnecting.</summary>
    public long QueuedWhileAway => Interlocked.Read(ref _queued);
    /// <summary>Commands sent a second time because the device left a node without answering them.</summary>
    public long Resent => Interlocked.Read(ref _resent);
    /// <summary>Replies for a command that was already answered.</summary>
    public long DuplicateReplies => Interlocked.Read(ref _duplicateReplies);
    /// <summary>Replies naming a command id never sent.</summary>
    public long UnknownReplies => Interlocked.Read(ref _unknownReplies);

    /// <inheritdoc />
    public int PendingCommandCount(string deviceId) => _lines.TryGetValue(deviceId, out var line) ? Volatile.Read(ref line.Pending) : 0;

    /// <summary>The node a device is ready on now, or null while it is away (draining, reconnecting, unknown).</summary>
    public AccessNode? RouteOf(string deviceId) => _lines.TryGetValue(deviceId, out var line) ? line.Route : null;

    /// <summary>Sends (or queues) a command; returns its id. Await <see cref="WhenRepliedAsync"/> for the answer.</summary>
    public async Task<string> SubmitAsync(string deviceId, string name, string? argument = null, CancellationToken cancellationToken = default)
    {
        var id = "cmd-" + Interlocked.Increment(ref _nextId).ToString("D7", CultureInfo.InvariantCulture);
        var command = new ControlCommand(id, name, argument);
        _commands[id] = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var line = LineOf(deviceId);
        await line.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref line.Pending);
            line.Queue.Enqueue(command);
            if (line.Route is { } node) await FlushLockedAsync(deviceId, line, node).ConfigureAwait(false);
            if (line.Queue.Count > 0) Interlocked.Increment(ref _queued);
        }
        finally
        {
            line.Gate.Release();
        }
        return id;
    }

    /// <summary>Sends a command and waits for its reply.</summary>
    public async Task<CommandReply> SendAsync(string deviceId, string name, string? argument, CancellationToken cancellationToken)
    {
        var id = await SubmitAsync(deviceId, name, argument, cancellationToken).ConfigureAwait(false);
        return await WhenRepliedAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reply of a submitted command.</summary>
    public Task<CommandReply> WhenRepliedAsync(string commandId, CancellationToken cancellationToken) =>
        _commands.TryGetValue(commandId, out var command) ? command.Task.WaitAsync(cancellationToken)
        : Task.FromException<CommandReply>(new InvalidOperationException($"command {commandId} was never sent"));

    /// <summary>Waits until every command submitted so far is answered; false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WhenAllRepliedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_commands.Values.Select(o => o.Task)).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    async Task IAccessNodeObserver.OnDeviceReadyAsync(AccessNode node, string deviceId)
    {
        var line = LineOf(deviceId);
        await line.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            line.Route = node;
            await FlushLockedAsync(deviceId, line, node).ConfigureAwait(false);
        }
        finally
        {
            line.Gate.Release();
        }
    }

    async Task IAccessNodeObserver.OnDeviceOfflineSentAsync(AccessNode node, string deviceId)
    {
        var line = LineOf(deviceId);
        await line.Gate.WaitAsync().ConfigureAwait(false);
        if (line.Route == node) line.Route = null; // new commands wait until the device is ready on its next node
        line.Gate.Release();
    }

    async Task IAccessNodeObserver.OnDeviceGoneAsync(AccessNode node, string deviceId, bool clean)
    {
        var line = LineOf(deviceId);
        await line.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (line.Route == node) line.Route = null;
            var stranded = line.SentVia.Where(s => s.Value.Via == node).ToList();
            if (stranded.Count == 0) return;
            // Unanswered when the device left: send them again, first, on its next node.
            var requeue = new Queue<ControlCommand>(stranded.Select(s => s.Value.Command));
            foreach (var (id, _) in stranded) line.SentVia.Remove(id);
            foreach (var queued in line.Queue) requeue.Enqueue(queued);
            line.Queue = requeue;
            Interlocked.Add(ref _resent, stranded.Count);
            _sink(Source, "resend", $"{deviceId} left {node.NodeId} with {stranded.Count} command(s) unanswered; they go again on its next node");
        }
        finally
        {
            line.Gate.Release();
        }
    }

    async Task IAccessNodeObserver.OnReplyAsync(AccessNode node, string deviceId, CommandReply reply)
    {
        if (!_commands.TryGetValue(reply.CommandId, out var command))
        {
            Interlocked.Increment(ref _unknownReplies);
            _sink(Source, "garbage", $"reply from {deviceId} via {node.NodeId} for unknown command '{reply.CommandId}' ignored");
            return;
        }
        if (command.Task.IsCompleted)
        {
            Interlocked.Increment(ref _duplicateReplies);
            _sink(Source, "duplicate", $"second reply from {deviceId} via {node.NodeId} for {reply.CommandId} ignored");
            return;
        }
        if (_lines.TryGetValue(deviceId, out var line))
        {
            await line.Gate.WaitAsync().ConfigureAwait(false);
            if (line.SentVia.Remove(reply.CommandId) || RemoveQueued(line, reply.CommandId)) Interlocked.Decrement(ref line.Pending);
            line.Gate.Release();
        }
        if (!command.TrySetResult(reply)) Interlocked.Increment(ref _duplicateReplies);
    }

    private async Task FlushLockedAsync(string deviceId, DeviceLine line, AccessNode node)
    {
        while (line.Queue.TryPeek(out var command))
        {
            bool sent;
            try
            {
                sent = await node.TrySendCommandAsync(deviceId, command, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _sink(Source, "error", $"sending {command.CommandId} to {deviceId} via {node.NodeId} failed: {ex.Message}; it stays queued");
                sent = false;
            }
            if (!sent)
            {
                line.Route = null;
                return;
            }
            line.Queue.Dequeue();
            line.SentVia[command.CommandId] = (command, node);
        }
    }

    private static bool RemoveQueued(DeviceLine line, string commandId)
    {
        // A reply can overtake the requeue of a command the device answered from the outbox of an earlier channel.
        if (!line.Queue.Any(c => c.CommandId == commandId)) return false;
        line.Queue = new Queue<ControlCommand>(line.Queue.Where(c => c.CommandId != commandId));
        return true;
    }

    private DeviceLine LineOf(string deviceId) => _lines.GetOrAdd(deviceId, static _ => new DeviceLine());

    private sealed class DeviceLine
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public AccessNode? Route;
        public Queue<ControlCommand> Queue = new();
        public readonly Dictionary<string, (ControlCommand Command, AccessNode Via)> SentVia = new(StringComparer.Ordinal);
        public int Pending;
    }
}
