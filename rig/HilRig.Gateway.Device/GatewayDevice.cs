using System.Buffers;
using HilRig.Protocol.Cloud;
using MQTTnet;
using MQTTnet.Protocol;

namespace HilRig.Gateway.Device;

/// <summary>
/// The device's side of the gateway cluster (docs/cloud.md §5.5): asks the master gateway for an
/// access node, connects, runs each command exactly once (by id) and replies. On an offline
/// instruction it finishes the commands in flight, lets new ones queue, asks for a new address,
/// connects to the new node, closes the old channel, then runs the queued commands. Cheap enough
/// to run ten thousand in one process; the emulated WiFi module runs one.
/// </summary>
public sealed partial class GatewayDevice : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _switchLock = new(1, 1);
    private readonly IMasterGatewayClient _master;
    private readonly DeviceTransport _transport;
    private readonly CommandExecutor _executor;
    private readonly DeviceEventSink _sink;
    private readonly CommandLedger? _ledger;
    private readonly string _source;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Task<CommandReply>> _results = new(StringComparer.Ordinal);
    private readonly List<ControlCommand> _localQueue = [];
    private readonly List<CommandReply> _outbox = [];
    // Ids whose reply was kept for the next channel and has not gone out yet (in the outbox or being flushed from it).
    private readonly HashSet<string> _owed = new(StringComparer.Ordinal);
    private DeviceChannel? _current;
    private bool _switching;
    private int _inFlight;
    private TaskCompletionSource? _inFlightDone;
    private int _switches;

    /// <summary>A device that is not connected yet (call <see cref="StartAsync"/>).</summary>
    public GatewayDevice(GatewayDeviceOptions options, IMasterGatewayClient master, DeviceTransport transport,
        CommandExecutor? executor = null, DeviceEventSink? sink = null, CommandLedger? ledger = null)
    {
        Options = options;
        _master = master;
        _transport = transport;
        _executor = executor ?? CommandExecutors.Default;
        _sink = sink ?? DeviceEventSinks.None;
        _ledger = ledger;
        _source = "device:" + options.DeviceId;
    }

    /// <summary>Who the device is.</summary>
    public GatewayDeviceOptions Options { get; }

    /// <summary>The device id.</summary>
    public string DeviceId => Options.DeviceId;

    /// <summary>The node of the current channel, or null before the first connect.</summary>
    public string? NodeId
    {
        get { lock (_gate) return _current?.NodeId; }
    }

    /// <summary>True while it moves to another node (commands received now wait).</summary>
    public bool IsSwitching
    {
        get { lock (_gate) return _switching; }
    }

    /// <summary>Commands running now.</summary>
    public int InFlight
    {
        get { lock (_gate) return _inFlight; }
    }

    /// <summary>Completed moves to another node.</summary>
    public int Switches => Volatile.Read(ref _switches);

    /// <summary>
    /// Where the device asks for its next address when it moves: a proxy device's <see cref="AddressProxy.ClientFor"/>
    /// (docs/cloud.md §5.3); null asks the master gateway itself.
    /// </summary>
    public IMasterGatewayClient? AddressVia { get; set; }

    /// <summary>Raised after a move: old node id, new node id (equal when the master sent it back to the same node).</summary>
    public event Action<string, string>? Switched;

    /// <summary>Raised when the device closed a channel to a node it left (after the new one was connected).</summary>
    public event Action<string>? OldChannelClosed;

    /// <summary>Raised when a command starts running (the command id).</summary>
    public event Action<string>? CommandStarted;

    /// <summary>Asks the master gateway for a node and connects; returns when connected (retries with back-off).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var channel = await ConnectLoopAsync(null, linked.Token).ConfigureAwait(false);
        BecomeCurrent(channel);
        _sink(_source, "connect", $"{DeviceId} connected to {channel.NodeId}");
        await AfterChannelChangeAsync(channel).ConfigureAwait(false);
    }

    /// <summary>Disconnects cleanly and stops reconnecting.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        DeviceChannel? channel;
        lock (_gate) channel = _current;
        if (channel is not null) await CloseAsync(channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        lock (_gate) _current?.Client.Dispose();
        _stop.Dispose();
    }

    private async Task OnMessageAsync(DeviceChannel channel, MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (topic == GatewayTopics.Command(DeviceId))
        {
            var command = CloudJson.TryDecode<ControlCommand>(payload, out var error);
            if (command is null || string.IsNullOrEmpty(command.CommandId))
            {
                _sink(_source, "garbage", $"{DeviceId} ignored an undecodable command from {channel.NodeId}: {error ?? "no command id"}");
                return;
            }
            await OnCommandAsync(command).ConfigureAwait(false);
        }
        else if (topic == GatewayTopics.Offline(DeviceId))
        {
            var offline = CloudJson.TryDecode<OfflineInstruction>(payload, out var error);
            if (offline is null)
            {
                _sink(_source, "garbage", $"{DeviceId} ignored an undecodable offline instruction from {channel.NodeId}: {error}");
                return;
            }
            if (Options.IgnoresOffline)
            {
                _sink(_source, "offline-ignored", $"{DeviceId} does not know the offline instruction from {offline.NodeId}; it stays");
                return;
            }
            channel.Offline = offline;
            bool current;
            lock (_gate)
            {
                current = channel == _current;
                // From this moment new commands wait in the local queue.
                if (current) _switching = true;
            }
            _sink(_source, "offline", $"{DeviceId} told to leave {offline.NodeId} ({offline.Reason})");
            // Not current yet: the switch that is opening this channel sees the mark and moves on again.
            if (current) _ = Task.Run(() => SwitchAsync(channel));
        }
        else
        {
            _sink(_source, "garbage", $"{DeviceId} ignored a message on unexpected topic '{topic}' from {channel.NodeId}");
        }
    }

    private async Task OnCommandAsync(ControlCommand command)
    {
        Task<CommandReply>? earlier;
        lock (_gate)
        {
            if (!_results.TryGetValue(command.CommandId, out earlier))
            {
                if (_switching) _localQueue.Add(command);
                else StartLocked(command);
                return;
            }
            // Its reply is kept for this channel and goes out from the outbox: a second copy now would answer it twice.
            if (_owed.Contains(command.CommandId)) return;
        }
        // Seen before: answer again with the first result, never run it twice (docs/cloud.md §3.1).
        if (earlier.IsCompletedSuccessfully) await SendReplyAsync(earlier.Result).ConfigureAwait(false);
    }

    private void StartLocked(ControlCommand command)
    {
        var done = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _results[command.CommandId] = done.Task;
        _inFlight++;
        _ = Task.Run(() => RunAsync(command, done));
    }

    private async Task RunAsync(ControlCommand command, TaskCompletionSource<CommandReply> done)
    {
        CommandReply reply;
        try
        {
            _ledger?.RecordExecution(DeviceId, command.CommandId);
            CommandStarted?.Invoke(command.CommandId);
            reply = await _executor(command, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reply = new CommandReply(command.CommandId, false, ex.Message);
        }
        done.TrySetResult(reply);
        await SendReplyAsync(reply).ConfigureAwait(false);
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (--_inFlight == 0) drained = _inFlightDone;
        }
        drained?.TrySetResult();
    }

    private async Task SendReplyAsync(CommandReply reply)
    {
        while (true)
        {
            DeviceChannel? channel;
            lock (_gate) channel = _current;
            if (channel is { IsConnected: true } && !channel.ClosingByDevice)
            {
                try
                {
                    var message = new MqttApplicationMessageBuilder().WithTopic(GatewayTopics.Reply(DeviceId)).WithPayload(CloudJson.Encode(reply))
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    var result = await channel.Client.PublishAsync(message, _stop.Token).ConfigureAwait(false);
                    if (result.IsSuccess)
                    {
                        // The node's broker has the answer (QoS 1 acknowledged): the device's own record of where it answered.
                        lock (_gate) _owed.Remove(reply.CommandId);
                        _sink(_source, "answered", $"{DeviceId} answered {reply.CommandId} via {channel.NodeId}");
                        return;
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    _sink(_source, "error", $"{DeviceId}: reply {reply.CommandId} via {channel.NodeId} failed ({ex.Message})");
                }
            }
            lock (_gate)
            {
                // No usable channel: the reply goes out on the next one, unless that one arrived meanwhile (then try it).
                if (_current != channel && _current is not null) continue;
                _outbox.Add(reply);
                _owed.Add(reply.CommandId);
            }
            _sink(_source, "kept", $"{DeviceId}: no channel for the reply to {reply.CommandId}; it goes out on the next one");
            return;
        }
    }
}
