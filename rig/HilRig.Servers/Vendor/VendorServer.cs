using System.Collections.Concurrent;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Internal;
using HilRig.Servers.Faults;
using HilRig.Servers.Mqtt;

namespace HilRig.Servers.Vendor;

/// <summary>
/// A vendor server (docs/cloud.md §3): control commands to devices and their replies, status reports from them,
/// optionally an OTA unit of its own. Its backend API is what steps and tests call.
/// </summary>
public sealed class VendorServer : IAsyncDisposable
{
    private readonly ServerEventSink _sink;
    private readonly MqttBrokerHost? _ownedBroker;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommandReply>> _pending = new(StringComparer.Ordinal);
    private readonly DeviceMessageLog<StatusReport> _statuses = new("status report", Describe);
    private int _nextCommand;

    /// <summary>A vendor server on a broker it does not own (an external broker, for example).</summary>
    public VendorServer(string serverId, IDeviceBroker broker, ServerEventSink sink, bool withOtaUnit = false)
        : this(serverId, broker, null, sink, withOtaUnit)
    {
    }

    private VendorServer(string serverId, IDeviceBroker broker, MqttBrokerHost? ownedBroker, ServerEventSink sink, bool withOtaUnit)
    {
        ServerId = serverId;
        Broker = broker;
        _ownedBroker = ownedBroker;
        _sink = sink;
        Source = $"vendor:{serverId}";
        OtaUnit = withOtaUnit ? new VendorOtaUnit(this) : null;
        BrokerFaults = ownedBroker is null ? null : new BrokerFaults(ownedBroker, sink);
        broker.AddHandler(CloudTopics.VendorReply("+"), OnReplyAsync);
        broker.AddHandler(CloudTopics.VendorStatus("+"), OnStatusAsync);
    }

    /// <summary>Starts a vendor server with an embedded broker on loopback.</summary>
    public static async Task<VendorServer> StartAsync(VendorServerOptions options, ServerEventSink sink, CancellationToken cancellationToken)
    {
        var broker = await MqttBrokerHost.StartAsync(new MqttBrokerOptions
        {
            Name = $"vendor:{options.ServerId}",
            Devices = options.Devices,
            Acl = DeviceTopicAcl.Vendor,
            Port = options.MqttPort,
            Tls = options.Tls,
        }, sink, cancellationToken).ConfigureAwait(false);
        return new VendorServer(options.ServerId, broker, broker, sink, options.WithOtaUnit);
    }

    /// <summary>The server id.</summary>
    public string ServerId { get; }

    /// <summary>Source name on the sink ("vendor:{id}").</summary>
    public string Source { get; }

    /// <summary>The broker devices connect to.</summary>
    public IDeviceBroker Broker { get; }

    /// <summary>The embedded broker, when this server runs one (null on an external broker).</summary>
    public MqttBrokerHost? EmbeddedBroker => _ownedBroker;

    /// <summary>Broker faults (restart), when this server runs its own broker.</summary>
    public BrokerFaults? BrokerFaults { get; }

    /// <summary>The server's own OTA unit, when it has one.</summary>
    public VendorOtaUnit? OtaUnit { get; }

    /// <summary>
    /// Sends a <see cref="ControlCommand"/> to vendor/{device}/control and waits for its <see cref="CommandReply"/>;
    /// throws <see cref="TimeoutException"/> naming the device, command and server when none comes in time.
    /// </summary>
    public Task<CommandReply> SendCommandAsync(string deviceId, string name, string? argument, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendCommandAsync(deviceId, NewCommand(name, argument), timeout, cancellationToken);

    /// <summary>A command with the next command id of this server (send it, or send it again, with <see cref="SendCommandAsync(string, ControlCommand, TimeSpan, CancellationToken)"/>).</summary>
    public ControlCommand NewCommand(string name, string? argument) =>
        new($"{ServerId}-cmd-{Interlocked.Increment(ref _nextCommand)}", name, argument);

    /// <summary>Sends <paramref name="command"/> as it is (its id included: a repeat of an earlier one is sent so) and waits for its reply, as above.</summary>
    public async Task<CommandReply> SendCommandAsync(string deviceId, ControlCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (name, argument) = (command.Name, command.Argument);
        var reply = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[ReplyKey(deviceId, command.CommandId)] = reply;
        try
        {
            await Broker.PublishAsync(CloudTopics.VendorControl(deviceId), CloudJson.Encode(command), cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"vendor server '{ServerId}': device {deviceId} did not answer command '{name}'{(argument is null ? "" : $" {argument}")} " +
                $"(id {command.CommandId}) within {timeout.TotalSeconds:0.###} s");
        }
        finally
        {
            _pending.TryRemove(ReplyKey(deviceId, command.CommandId), out _);
        }
    }

    /// <summary>The latest status report of a device, or null before its first.</summary>
    public StatusReport? LatestStatus(string deviceId) => _statuses.Latest(deviceId);

    /// <summary>Every status report of a device so far.</summary>
    public IReadOnlyList<StatusReport> StatusReports(string deviceId) => _statuses.Of(deviceId);

    /// <summary>Waits for a status report (one already received counts) matching <paramref name="match"/>; throws <see cref="TimeoutException"/> naming it and the last one seen.</summary>
    public Task<StatusReport> WaitForStatusAsync(string deviceId, Func<StatusReport, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken) =>
        _statuses.WaitAsync($"vendor server '{ServerId}'", deviceId, match, description, timeout, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownedBroker is not null)
        {
            await _ownedBroker.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string ReplyKey(string deviceId, string commandId) => $"{deviceId}\n{commandId}";

    private static string Describe(StatusReport s) => $"#{s.Sequence} {s.Activity}, power {s.Power}, module {s.Module.Version}";

    private Task OnReplyAsync(BrokerMessage message)
    {
        var deviceId = message.Topic.Split('/')[1];
        var reply = CloudJson.TryDecode<CommandReply>(message.Payload, out var error);
        if (reply is null)
        {
            _sink(Source, "error", $"ignored message on {message.Topic}: not a CommandReply ({error})");
        }
        else if (_pending.TryGetValue(ReplyKey(deviceId, reply.CommandId), out var waiter))
        {
            waiter.TrySetResult(reply);
        }
        else
        {
            _sink(Source, "reply", $"{deviceId} answered command {reply.CommandId} that nobody waits for (late or repeated)");
        }
        return Task.CompletedTask;
    }

    private Task OnStatusAsync(BrokerMessage message)
    {
        var deviceId = message.Topic.Split('/')[1];
        var status = CloudJson.TryDecode<StatusReport>(message.Payload, out var error);
        if (status is null)
        {
            _sink(Source, "error", $"ignored message on {message.Topic}: not a StatusReport ({error})");
            return Task.CompletedTask;
        }
        _statuses.Add(deviceId, status);
        return Task.CompletedTask;
    }
}
