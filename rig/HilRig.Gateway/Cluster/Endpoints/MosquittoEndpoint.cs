using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using HilRig.Platform.Processes;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using HilRig.Protocol.Cloud;
using HilRig.Servers;
using HilRig.Servers.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace HilRig.Gateway.Cluster.Endpoints;

/// <summary>
/// An access node's MQTT endpoint on a mosquitto process the rig starts (docs/cloud.md §5.6). mosquitto decides
/// CONNECT (dynamic security plugin: one login and one role per registered device, <c>max_connections</c> =
/// capacity + 1 for the backend), SUBSCRIBE and PUBLISH (the role's ACLs); the node learns what happened from
/// mosquitto's log lines (connects, subscriptions, disconnects) and from the backend client, logged in as the
/// privileged user <see cref="GatewayDeviceCredentials.BackendUser"/>: it publishes commands and offline
/// instructions, receives every <c>gw/+/reply</c> (uplink traffic), and drives the plugin over
/// <c>$CONTROL/dynamic-security/v1</c> (new devices, refusing new connections while draining, dropping a device).
/// </summary>
internal sealed partial class MosquittoEndpoint : AccessNodeEndpoint
{
    private const string ControlTopic = "$CONTROL/dynamic-security/v1";
    private const string ControlResponseTopic = ControlTopic + "/response";
    private const string LostMarker = "\0lost";
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(10);

    private readonly AccessNode _node;
    private readonly MosquittoNodeOptions _options;
    private readonly ServerEventSink _sink;
    private readonly GatewayDeviceCredentials _credentials;
    private readonly string _source;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private readonly Channel<(string DeviceId, string Topic, byte[] Payload)> _replies = Channel.CreateUnbounded<(string, string, byte[])>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, ControlRequest> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disabled = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _acceptLock = new(1, 1);
    private IMqttClient? _backend;
    private Process? _process;
    private Task _lineLoop = Task.CompletedTask;
    private Task _replyLoop = Task.CompletedTask;
    private long _correlation;
    private volatile bool _stopping;

    public MosquittoEndpoint(AccessNode node, MosquittoNodeOptions options, ServerEventSink sink)
    {
        _node = node;
        _options = options;
        _sink = sink;
        _credentials = node.Options.Credentials ?? throw new ArgumentException(
            $"access node {node.NodeId}: a mosquitto node lets only registered devices log in; set AccessNodeOptions.Credentials", nameof(node));
        _source = "gateway:" + node.NodeId;
    }

    public override string Kind => "mosquitto";

    /// <summary>The mosquitto process id (tests).</summary>
    public int? ProcessId => _process?.Id;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var binary = _options.Binary ?? MosquittoBroker.FindBinary()
            ?? throw new FileNotFoundException("mosquitto is not installed (install it with ./setup.sh mosquitto)");
        var plugin = _options.DynamicSecurityPlugin ?? MosquittoNodeOptions.FindDynamicSecurityPlugin(binary)
            ?? throw new FileNotFoundException("mosquitto's dynamic security plugin (mosquitto_dynamic_security.so) was not found; it ships with mosquitto 2.0 (./setup.sh mosquitto)");
        var directory = Path.Combine(_options.WorkDirectory, _node.NodeId);
        Directory.CreateDirectory(directory);
        var backendPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var security = Path.Combine(directory, "dynamic-security.json");
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(security, SecurityFile(backendPassword, _credentials.All), cancellationToken).ConfigureAwait(false);
        _lineLoop = Task.Run(LineLoopAsync, CancellationToken.None);
        _replyLoop = Task.Run(ReplyLoopAsync, CancellationToken.None);
        // The port is picked free and released before mosquitto binds it, so another socket can take it in between;
        // mosquitto then exits at once ("Address already in use") and is started again on another port.
        for (var attempt = 1; ; attempt++)
        {
            var port = MosquittoProcess.FreeLoopbackPort();
            await File.WriteAllTextAsync(config, ConfigFile(port, plugin, security), cancellationToken).ConfigureAwait(false);
            var process = StartProcess(binary, config);
            var backend = new MqttClientFactory().CreateMqttClient();
            backend.ApplicationMessageReceivedAsync += OnBackendMessageAsync;
            try
            {
                await MosquittoProcess.ConnectBackendAsync(backend, BackendLogin(port, backendPassword), process, "mosquitto", cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt < 5 && process.HasExited)
            {
                backend.Dispose();
                process.Dispose();
                continue;
            }
            catch
            {
                backend.Dispose();
                Kill(process);
                throw;
            }
            _process = process;
            _backend = backend;
            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(ControlResponseTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter("gw/+/reply", MqttQualityOfServiceLevel.AtLeastOnce).Build();
            await backend.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
            process.Exited += (_, _) =>
            {
                if (!_stopping) _lines.Writer.TryWrite(LostMarker);
            };
            process.EnableRaisingEvents = true;
            _sink(_source, "broker", string.Create(CultureInfo.InvariantCulture,
                $"mosquitto pid {process.Id} listening on 127.0.0.1:{port} (max_connections {_node.Capacity + 1}: capacity + the backend), {_credentials.All.Count} device login(s)"));
            return string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{port}");
        }
    }

    private Process StartProcess(string binary, string config)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        var process = ChildProcesses.Start(info);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private void OnLine(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line)) _lines.Writer.TryWrite(line.Trim());
    }

    // ---- Node side ----

    public override async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var backend = _backend ?? throw new InvalidOperationException($"access node {_node.NodeId} has not started");
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await backend.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        // mosquitto answers "no matching subscribers" when the device is not subscribed (any more): the message is dropped, as on an embedded node.
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new IOException($"mosquitto did not take the publish to '{topic}': {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>Drops a device: the plugin disables its login (which ends its connection) and enables it again at once.</summary>
    public override async Task KickAsync(string deviceId)
    {
        await ControlAsync([Command("disableClient", deviceId)], CancellationToken.None).ConfigureAwait(false);
        bool keepDisabled;
        lock (_disabled) keepDisabled = _disabled.Contains(deviceId);
        if (!keepDisabled) await ControlAsync([Command("enableClient", deviceId)], CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Not accepting: every registered device that is not connected now has its login disabled, so mosquitto refuses its CONNECT
    /// ("not authorised"); a device that leaves while the node does not accept is disabled as it leaves. Accepting: all enabled again.
    /// </summary>
    public override async Task SetAcceptingAsync(bool accepting)
    {
        await _acceptLock.WaitAsync().ConfigureAwait(false);
        try
        {
            List<string> change;
            lock (_disabled)
            {
                if (accepting)
                {
                    change = [.. _disabled];
                    _disabled.Clear();
                }
                else
                {
                    var connected = _node.ConnectedDevices.ToHashSet(StringComparer.Ordinal);
                    change = _credentials.All.Select(d => d.Key).Where(d => !connected.Contains(d) && _disabled.Add(d)).ToList();
                }
            }
            foreach (var chunk in change.Chunk(100))
            {
                await ControlAsync(chunk.Select(d => Command(accepting ? "enableClient" : "disableClient", d)), CancellationToken.None).ConfigureAwait(false);
            }
            _sink(_source, "broker", string.Create(CultureInfo.InvariantCulture, $"{(accepting ? "enabled" : "disabled")} {change.Count} device login(s) on mosquitto"));
        }
        finally
        {
            _acceptLock.Release();
        }
    }

    private async Task DisableWhileNotAcceptingAsync(string deviceId)
    {
        lock (_disabled)
        {
            if (_node.AcceptingFlag || !_disabled.Add(deviceId)) return;
        }
        await ControlAsync([Command("disableClient", deviceId)], CancellationToken.None).ConfigureAwait(false);
    }

    public override async Task AddDevicesAsync(IReadOnlyList<KeyValuePair<string, string>> devices, CancellationToken cancellationToken)
    {
        foreach (var chunk in devices.Chunk(50))
        {
            var commands = new List<JsonObject>();
            foreach (var (deviceId, secret) in chunk)
            {
                commands.Add(new JsonObject { ["command"] = "createRole", ["rolename"] = RoleOf(deviceId) });
                commands.AddRange(DeviceAcls(deviceId).Select(acl =>
                {
                    acl["command"] = "addRoleACL";
                    acl["rolename"] = RoleOf(deviceId);
                    return acl;
                }));
                commands.Add(new JsonObject
                {
                    ["command"] = "createClient", ["username"] = deviceId, ["password"] = secret,
                    ["roles"] = new JsonArray { new JsonObject { ["rolename"] = RoleOf(deviceId) } },
                });
            }
            var errors = await ControlAsync(commands, cancellationToken).ConfigureAwait(false);
            var real = errors.Where(e => !e.Contains("already exists", StringComparison.OrdinalIgnoreCase)).ToList();
            if (real.Count > 0) throw new InvalidOperationException($"mosquitto of {_node.NodeId} did not register devices: {string.Join("; ", real)}");
            if (!_node.AcceptingFlag)
            {
                foreach (var (deviceId, _) in chunk) await DisableWhileNotAcceptingAsync(deviceId).ConfigureAwait(false);
            }
        }
    }

    private static JsonObject Command(string command, string username) => new() { ["command"] = command, ["username"] = username };

    /// <summary>Sends plugin commands in one message and waits for their responses; returns the errors ("command: error").</summary>
    private async Task<IReadOnlyList<string>> ControlAsync(IEnumerable<JsonObject> commands, CancellationToken cancellationToken)
    {
        var backend = _backend ?? throw new InvalidOperationException($"access node {_node.NodeId} has not started");
        var id = Interlocked.Increment(ref _correlation).ToString(CultureInfo.InvariantCulture);
        var list = commands.ToList();
        if (list.Count == 0) return [];
        foreach (var command in list) command["correlationData"] = id;
        var request = new ControlRequest(list.Count);
        _pending[id] = request;
        try
        {
            var payload = Encoding.UTF8.GetBytes(new JsonObject { ["commands"] = new JsonArray([.. list]) }.ToJsonString());
            await backend.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(ControlTopic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            return await request.Done.Task.WaitAsync(ControlTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private sealed class ControlRequest(int expected)
    {
        private readonly List<string> _errors = [];
        private int _answered;

        public TaskCompletionSource<IReadOnlyList<string>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer(string? error)
        {
            lock (_errors)
            {
                if (error is not null) _errors.Add(error);
                if (++_answered >= expected) Done.TrySetResult([.. _errors]);
            }
        }
    }

    private Task OnBackendMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (topic == ControlResponseTopic)
        {
            OnControlResponse(payload);
        }
        else if (GatewayTopics.DeviceOf(topic) is { } deviceId && topic == GatewayTopics.Reply(deviceId))
        {
            _replies.Writer.TryWrite((deviceId, topic, payload));
        }
        return Task.CompletedTask;
    }

    private void OnControlResponse(byte[] payload)
    {
        try
        {
            if (JsonNode.Parse(payload)?["responses"] is not JsonArray responses) return;
            foreach (var response in responses.OfType<JsonObject>())
            {
                var id = response["correlationData"]?.GetValueKind() == JsonValueKind.String ? response["correlationData"]!.GetValue<string>() : null;
                if (id is null || !_pending.TryGetValue(id, out var request)) continue;
                var error = response["error"]?.GetValueKind() == JsonValueKind.String ? $"{response["command"]}: {response["error"]!.GetValue<string>()}" : null;
                request.Answer(error);
            }
        }
        catch (JsonException ex)
        {
            _sink(_source, "error", $"{_node.NodeId}: an undecodable answer from mosquitto's security plugin: {ex.Message}");
        }
    }

    private async Task ReplyLoopAsync()
    {
        await foreach (var (deviceId, topic, payload) in _replies.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _node.OnPublishAsync(deviceId, topic, payload).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _sink(_source, "error", $"{_node.NodeId}: handling a reply of {deviceId} failed: {ex.Message}");
            }
        }
    }

    public override async Task StopAsync()
    {
        _stopping = true;
        if (_backend is { } backend)
        {
            try
            {
                if (backend.IsConnected) await backend.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
            }
            backend.Dispose();
        }
        foreach (var request in _pending.Values) request.Done.TrySetException(new ObjectDisposedException($"access node {_node.NodeId}"));
        if (_process is { } process)
        {
            Kill(process);
        }
        _lines.Writer.TryComplete();
        _replies.Writer.TryComplete();
        await Task.WhenAll(_lineLoop, _replyLoop).ConfigureAwait(false);
        // mosquitto was killed: it wrote no line for the devices still connected.
        await ReportConnectedGoneAsync().ConfigureAwait(false);
        _sink(_source, "broker", "mosquitto stopped");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                // Bounded: also waits for the end of its output, so every line it wrote is handled before the node reports the rest gone.
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}
