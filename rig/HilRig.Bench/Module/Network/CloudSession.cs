using System.Security.Cryptography.X509Certificates;
using System.Text;
using HilRig.Protocol.Cloud;
using HilRig.Protocol.Control;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Module.Network;

/// <summary>
/// One boot's worth of the module's cloud traffic (docs/cloud.md §2–§4): the vendor server link
/// (control commands, status) and, when the vendor server is not the target server, the target server
/// link (reports, instructions, campaigns, events). Ends when the boot is cancelled (a reboot).
/// </summary>
public sealed partial class CloudSession : IAsyncDisposable
{
    /// <summary>Interval of the periodic status report (docs/cloud.md §3.2).</summary>
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    private readonly ModuleFlash _flash;
    private readonly NetworkConfig _config;
    private readonly IModuleChain _chain;
    private readonly ModuleNetwork _network;
    private readonly Action<string> _log;
    private readonly MqttLink _vendor;
    private readonly MqttLink _target;
    private readonly HttpClient _http;
    private readonly X509Certificate2? _trustedCa;
    private readonly FirmwareDownloader _downloader;
    private readonly Dictionary<string, Task<CommandReply>> _answered = new(StringComparer.Ordinal);
    private readonly ProcessorRelay _processor;
    private readonly Queue<string> _answeredOrder = new();
    private readonly CancellationTokenSource _work = new();
    private readonly ModuleDefect _defects;
    private readonly HttpClient? _masterHttp;
    private readonly Gateway.Device.GatewayDevice? _gateway;
    private readonly List<Task> _jobs = new();
    private string _power = "on";
    private string _activity = "idle";
    private long _statusSequence;
    private uint? _campaignId;
    private int _busy;

    /// <summary>
    /// Creates the session's links (nothing connects before <see cref="RunAsync"/>). With <paramref name="names"/> (the
    /// WiFi station's DNS), every server's host name is looked up before it is dialled; without, hosts are dialled as written.
    /// </summary>
    public CloudSession(ModuleFlash flash, NetworkConfig config, IModuleChain chain, ModuleNetwork network, Action<string> log,
        ModuleDefect defects = ModuleDefect.None, INameResolver? names = null)
    {
        _defects = defects;
        _processor = new ProcessorRelay(chain.Processor, log, defects);
        _flash = flash;
        _config = config;
        _chain = chain;
        _network = network;
        _log = log;
        _trustedCa = flash.Factory.TrustedCaPem is { } pem ? X509Certificate2.CreateFromPem(pem) : null;
        _http = DownloadClient(_trustedCa, log, names);
        _downloader = new FirmwareDownloader(_http, log)
        {
            ResumeWithRange = !defects.HasFlag(ModuleDefect.DownloadFromZero),
            CheckDigest = !defects.HasFlag(ModuleDefect.SkipDigestCheck),
        };
        var device = flash.Factory.DeviceId;
        // The target is recognised by where it is (host and port), not by its server id: a vendor server id whose access
        // config is the target's is the target server, and one connection carries both (docs/cloud.md §4.2).
        var vendorAccess = flash.Factory.Access[config.ServerId];
        var vendorIsTarget = vendorAccess.IsSameServerAs(TargetAccess(flash));
        var vendorTopics = new List<string>(CloudTopics.VendorDeviceSubscribe(device));
        if (vendorIsTarget)
        {
            vendorTopics.AddRange(CloudTopics.OtaDeviceSubscribe(device));
        }
        if (vendorIsTarget && config.ServerId != flash.Factory.TargetServerId)
        {
            log($"vendor server '{config.ServerId}' is at the target server's address ({vendorAccess.Host}:{vendorAccess.Port}): one connection carries both");
        }
        _vendor = new MqttLink($"vendor server '{config.ServerId}'", vendorAccess, device, vendorTopics,
            OnMessageAsync, vendorIsTarget ? OnVendorAndTargetConnectedAsync : OnVendorConnectedAsync, log, _trustedCa, names);
        _target = vendorIsTarget
            ? _vendor
            : new MqttLink($"target server '{flash.Factory.TargetServerId}'", TargetAccess(flash), device,
                CloudTopics.OtaDeviceSubscribe(device), OnMessageAsync, OnTargetConnectedAsync, log, _trustedCa, names);
        _chain.Reported += OnChainEvent;
        _processor.Processor.BodyStatusReported += OnBodyStatus;
        if (flash.Factory.Gateway is { } gateway)
        {
            // Behaviour 3: the vendor backend also reaches the device through the gateway cluster (docs/cloud.md §5).
            // On a bench network the master gateway's name is looked up at the station's DNS, and the access nodes it hands
            // out are on that network (the station's only route), so any address it names is dialled.
            _masterHttp = new HttpClient(NamedHandler(names)) { BaseAddress = new Uri(gateway.MasterUrl), Timeout = TimeSpan.FromSeconds(40) };
            _gateway = new Gateway.Device.GatewayDevice(new Gateway.Device.GatewayDeviceOptions(device, gateway.LogicalNode) { KeepAlive = TimeSpan.FromSeconds(5), Password = gateway.Secret },
                new Gateway.Device.MasterGatewayHttpClient(_masterHttp), new Gateway.Device.TcpDeviceTransport(dialAnyAddress: names is not null), ExecuteThroughGatewayAsync,
                (source, kind, detail) => log($"gateway {kind}: {detail}"));
        }
    }

    /// <summary>
    /// The download client: an https:// firmware URL is fetched only from a server whose certificate chains to the CA
    /// of the firmware's build (none of the machine's CAs), and a refusal is logged before the attempt fails. With
    /// <paramref name="names"/>, the URL's host is looked up there and the address dialled; TLS still checks the host name.
    /// </summary>
    private static HttpClient DownloadClient(X509Certificate2? trustedCa, Action<string> log, INameResolver? names)
    {
        var handler = NamedHandler(names);
        handler.SslOptions.RemoteCertificateValidationCallback = trustedCa is null
            ? (_, _, _, _) =>
            {
                log("download: TLS: refusing the server: the firmware holds no CA certificate to verify it with");
                return false;
            }
            : Servers.Tls.BenchTrust.Callback(trustedCa, problem => log($"download: TLS: refusing the server: {problem}"));
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>An HTTP handler that, with <paramref name="names"/>, looks each host up there and dials the address (TLS still checks the host name).</summary>
    private static SocketsHttpHandler NamedHandler(INameResolver? names)
    {
        var handler = new SocketsHttpHandler();
        if (names is not null)
        {
            handler.ConnectCallback = NamedServer.ConnectCallback(names);
        }
        return handler;
    }

    /// <summary>A command that came through the gateway cluster: the same commands as §3.1, plus "wait" (argument: ms) that takes that long.</summary>
    private async ValueTask<CommandReply> ExecuteThroughGatewayAsync(ControlCommand command, CancellationToken token)
    {
        if (command.Name == "wait")
        {
            var ms = int.TryParse(command.Argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? Math.Min(v, 60_000) : 0;
            await Task.Delay(ms, token).ConfigureAwait(false);
            return new CommandReply(command.CommandId, true, $"waited {ms} ms");
        }
        return await RunCommandAsync(command, token).ConfigureAwait(false);
    }

    private static AccessConfig TargetAccess(ModuleFlash flash) =>
        flash.Factory.Access.TryGetValue(flash.Factory.TargetServerId, out var access) ? access
            : throw new InvalidOperationException($"the access config table has no entry for the target server '{flash.Factory.TargetServerId}'");

    private string Device => _flash.Factory.DeviceId;

    /// <summary>Why the next report to the target server is sent.</summary>
    public static string NextReportReason { get; set; } = "connect";

    /// <summary>Connects and serves until <paramref name="token"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        _vendor.Start();
        if (!ReferenceEquals(_target, _vendor))
        {
            _target.Start();
        }
        if (_gateway is { } gateway)
        {
            StartJob(async jobToken =>
            {
                try
                {
                    await gateway.StartAsync(jobToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TimeoutException)
                {
                    _log($"gateway: cannot reach the gateway cluster ({ex.Message})");
                }
            });
        }
        using var timer = new PeriodicTimer(StatusInterval);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            if (_vendor.IsConnected)
            {
                PublishStatus();
            }
        }
    }

    private async Task OnVendorConnectedAsync()
    {
        if (_config.Flag == 1 && !_defects.HasFlag(ModuleDefect.ForgetProvisioned))
        {
            _flash.SaveNetwork(_config with { Flag = 0 });
            _log($"provisioned: connected to vendor server '{_config.ServerId}'; network-config flag 0 written");
        }
        PublishStatus();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task OnTargetConnectedAsync()
    {
        var chips = _flash.LoadChips();
        var reason = NextReportReason;
        NextReportReason = "connect";
        var report = new DeviceReport(Device, _flash.Factory.Product, Firmware(), _config.ServerId, chips, reason);
        _target.Publish(CloudTopics.OtaReport(Device), CloudJson.Encode(report));
        _log($"reported to the target server: WiFi firmware {report.Module.Version} (slot {report.Module.Slot}), reason {reason}");
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task OnVendorAndTargetConnectedAsync()
    {
        await OnVendorConnectedAsync().ConfigureAwait(false);
        await OnTargetConnectedAsync().ConfigureAwait(false);
    }

    private ModuleFirmware Firmware()
    {
        var slots = _flash.LoadSlots();
        return new ModuleFirmware(slots.RunningVersion, slots.Active);
    }

    private void PublishStatus()
    {
        var status = Status(Interlocked.Increment(ref _statusSequence));
        _vendor.Publish(CloudTopics.VendorStatus(Device), CloudJson.Encode(status));
    }

    /// <summary>The status report: the module's own state, and the device body's as the processor last reported it (BODY_STATUS, docs/cloud.md §3.2).</summary>
    private StatusReport Status(long sequence)
    {
        var body = _processor.Processor.BodyStatus;
        return new StatusReport(Device, sequence, Firmware(), _activity, body is null ? _power : body.PowerOn ? "on" : "off")
        {
            Operating = body?.Operating,
            Mode = body?.Mode,
        };
    }

    /// <summary>The processor's BODY_STATUS goes to the vendor server at once (docs/protocol.md §5.14).</summary>
    private void OnBodyStatus(BodyStatusPayload status)
    {
        if (_vendor.IsConnected)
        {
            PublishStatus();
        }
    }

    private void SetActivity(string activity)
    {
        if (_activity != activity)
        {
            _activity = activity;
            PublishStatus();
        }
    }

    private void Event(DeviceEvent e) => _target.Publish(CloudTopics.OtaEvents(Device), CloudJson.Encode(e));

    private Task OnMessageAsync(string topic, byte[] payload)
    {
        if (topic == CloudTopics.VendorControl(Device))
        {
            OnCommand(payload);
        }
        else if (topic == CloudTopics.VendorOta(Device))
        {
            var ins = CloudJson.TryDecode<OtaInstruction>(payload, out _);
            if (ins is not null && _defects.HasFlag(ModuleDefect.ObeyVendorOta))
            {
                _log($"OTA instruction for {ins.Version} from vendor server '{_config.ServerId}' (defect: obeyed)");
                StartJob(token => UpgradeSelfAsync(ins, token));
                return Task.CompletedTask;
            }
            var text = $"ignored OTA instruction for {ins?.Version ?? "an unreadable version"} from vendor server '{_config.ServerId}': only the target server upgrades this module";
            _log(text);
            Event(new DeviceEvent("ota-ignored") { InstructionId = ins?.InstructionId, Detail = text });
        }
        else if (topic == CloudTopics.OtaInstruction(Device))
        {
            if (CloudJson.TryDecode<OtaInstruction>(payload, out var error) is { } ins)
            {
                StartJob(token => UpgradeSelfAsync(ins, token));
            }
            else
            {
                _log($"unreadable OTA instruction on {topic}: {error}");
            }
        }
        else if (topic == CloudTopics.OtaPrepare(Device))
        {
            if (CloudJson.TryDecode<PrepareInstruction>(payload, out var error) is { } prepare)
            {
                if (_chain.Prepare(prepare.CampaignId) is { } refusal)
                {
                    Event(new DeviceEvent("prepare-refused") { CampaignId = prepare.CampaignId, Detail = refusal });
                }
            }
            else
            {
                _log($"unreadable prepare instruction on {topic}: {error}");
            }
        }
        else if (topic == CloudTopics.OtaCampaign(Device))
        {
            if (CloudJson.TryDecode<CampaignInstruction>(payload, out var error) is { } campaign)
            {
                StartJob(token => RunCampaignAsync(campaign, token));
            }
            else
            {
                _log($"unreadable campaign on {topic}: {error}");
            }
        }
        else
        {
            _log($"message on unexpected topic {topic} ignored ({payload.Length} bytes)");
        }
        return Task.CompletedTask;
    }

    private void StartJob(Func<CancellationToken, Task> job)
    {
        lock (_jobs)
        {
            _jobs.RemoveAll(t => t.IsCompleted);
            _jobs.Add(Task.Run(async () =>
            {
                try
                {
                    await job(_work.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_work.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    // A job that dies must say so: a silent one leaves a campaign waiting for ever.
                    _log($"job failed: {ex}");
                    SetActivity("idle");
                }
            }));
        }
    }

    private void OnCommand(byte[] payload)
    {
        var command = CloudJson.TryDecode<ControlCommand>(payload, out var error);
        if (command is null || string.IsNullOrEmpty(command.CommandId))
        {
            _log($"unreadable control command ignored: {error ?? "no command id"} ({Encoding.UTF8.GetString(payload.AsSpan(0, Math.Min(payload.Length, 80)))})");
            return;
        }
        Task<CommandReply> reply;
        lock (_answered)
        {
            if (_answered.TryGetValue(command.CommandId, out var first))
            {
                // A command id runs once: a repeat gets the first run's reply, also while that run still waits for the processor.
                _log($"command {command.CommandId} ({command.Name}) seen before: answered again, not run");
                reply = first;
            }
            else
            {
                reply = RunCommandAsync(command, _work.Token);
                _answered[command.CommandId] = reply;
                _answeredOrder.Enqueue(command.CommandId);
                if (_answeredOrder.Count > 1024)
                {
                    _answered.Remove(_answeredOrder.Dequeue());
                }
            }
        }
        StartJob(async _ => _vendor.Publish(CloudTopics.VendorReply(Device), CloudJson.Encode(await reply.ConfigureAwait(false))));
    }

    /// <summary>
    /// Runs a command: the module answers "ping" and "get-status" itself; every other command is the device body's and
    /// goes to the processor (CONTROL, docs/protocol.md §7.7).
    /// </summary>
    private async Task<CommandReply> RunCommandAsync(ControlCommand command, CancellationToken token)
    {
        if (!_processor.AnswersItself(command.Name))
        {
            return await _processor.ControlAsync(command, token).ConfigureAwait(false);
        }
        switch (command.Name)
        {
            case "ping":
                return new CommandReply(command.CommandId, true, "pong");
            case "get-status":
                return new CommandReply(command.CommandId, true, Encoding.UTF8.GetString(CloudJson.Encode(Status(_statusSequence))));
            // DEFECT answer-body-commands-itself: the device body's commands never reach the processor.
            case "set-power" when command.Argument is "on" or "off":
                _power = command.Argument;
                PublishStatus();
                return new CommandReply(command.CommandId, true, $"power {_power}");
            case "set-power":
                return new CommandReply(command.CommandId, false, $"set-power takes 'on' or 'off', not '{command.Argument}'");
            default:
                return new CommandReply(command.CommandId, true, $"mode {command.Argument}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _chain.Reported -= OnChainEvent;
        _processor.Processor.BodyStatusReported -= OnBodyStatus;
        await _work.CancelAsync().ConfigureAwait(false);
        Task[] jobs;
        lock (_jobs)
        {
            jobs = _jobs.ToArray();
        }
        await Task.WhenAll(jobs).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }
        _masterHttp?.Dispose();
        await _vendor.DisposeAsync().ConfigureAwait(false);
        if (!ReferenceEquals(_target, _vendor))
        {
            await _target.DisposeAsync().ConfigureAwait(false);
        }
        _http.Dispose();
        _trustedCa?.Dispose();
        _work.Dispose();
    }
}
