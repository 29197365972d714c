using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Gherkin;
using HilRig.Protocol.Cloud;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// The scenario's view of the bench's cloud (docs/cloud.md): the servers' backends, the module's
/// flash records, its log, and the processor's side of the UART for PROVISION.
/// </summary>
public sealed class CloudDriver(BenchDriver bench, RigSettings settings, ScenarioRun scenario) : IDisposable
{
    private Servers.TargetOta.TargetOtaAdminClient? _admin;

    /// <summary>The target server's admin API over HTTP (docs/cloud.md §2.6): what steps publish versions and start campaigns with.</summary>
    public Servers.TargetOta.TargetOtaAdminClient Admin => _admin ??= Cloud.Target.CreateAdminClient();

    /// <inheritdoc />
    public void Dispose() => _admin?.Dispose();

    /// <summary>
    /// Gives the target server an image file in-process (its catalogue, docs/cloud.md §2.6) and publishes it for a
    /// model over the admin API, by name: the admin API never reads a path.
    /// </summary>
    public Task<Protocol.Cloud.CampaignImage> PublishImageAsync(byte modelId, string version, string path, CancellationToken cancellationToken)
    {
        var name = Cloud.Target.Images.AddFile(path);
        return Admin.PublishFirmwareAsync(modelId, version, name, cancellationToken);
    }

    /// <summary>How long the module may take to join, connect and report.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long a module upgrade may take (download at the slowest WiFi of a scenario, reboot, report).</summary>
    public static readonly TimeSpan ModuleUpgradeTimeout = TimeSpan.FromSeconds(60);

    private readonly List<CommandReply> _replies = new();
    private readonly List<Task> _commandJobs = new();

    /// <summary>
    /// The bench's cloud, or a message naming the bench that has none. On a hardware bench the scenario is skipped with
    /// the reason instead: its WiFi module's network (access point, names, TLS) is not wired into hardware benches yet.
    /// </summary>
    public CloudBench Cloud => bench.Bench.Cloud is null && bench.Wiring.Kind == Core.Wiring.BenchKind.Hardware
        ? throw new SkipScenarioException($"bench '{bench.Wiring.Name}' is a hardware bench without a bench network (the module's WiFi side is not wired into hardware benches yet, docs/wiring.md): the cloud scenarios need it")
        : bench.Bench.RequireCloud();

    /// <summary>The device id.</summary>
    public string DeviceId => Cloud.DeviceId;

    /// <summary>The bench timeline.</summary>
    public BenchTimeline Timeline => bench.Bench.Timeline;

    /// <summary>PROVISION_ACKs the module sent, as the rig saw them on the link above chip 1.</summary>
    public List<ProvisionAckPayload> ProvisionAcks { get; } = new();

    /// <summary>Replies to the commands sent with <see cref="SendCommandsAsync"/>.</summary>
    public IReadOnlyList<CommandReply> Replies { get { lock (_replies) return _replies.ToList(); } }

    /// <summary>Commands sent with <see cref="SendCommandsAsync"/>.</summary>
    public int CommandsSent { get; private set; }

    /// <summary>The module's network config as its flash holds it now (null: no record).</summary>
    public NetworkConfig? NetworkConfigOnFlash()
    {
        var path = Path.Combine(bench.Bench.ModuleFlashDirectory, ModuleFlashFiles.Network);
        return File.Exists(path) ? CloudJson.TryDecode<NetworkConfig>(File.ReadAllBytes(path), out _) : null;
    }

    /// <summary>Waits until the module's log has a line containing <paramref name="text"/> <paramref name="count"/> times.</summary>
    public Task WaitForModuleLogAsync(string text, int count, TimeSpan timeout) =>
        Timeline.WaitForAsync(e => e.Source == Core.Wiring.ModuleWiring.Name && e.Kind == "log" && e.Summary.Contains(text, StringComparison.Ordinal),
            count, $"the module's log line \"{text}\"", timeout, scenario.RunCancellation);

    /// <summary>The relay link between the module and chip 1 (where the processor's PROVISION is injected).</summary>
    public RelayLink ModuleLink()
    {
        var first = bench.Wiring.Children(Core.Wiring.ModuleWiring.Name)[0];
        return bench.Bench.RelaysByChip.TryGetValue(first, out var relay) ? relay
            : throw new InvalidOperationException($"the link above {first} is not a relay link, so the rig cannot speak for the processor on it");
    }

    /// <summary>Sends PROVISION to the module as the processor (chip 1) would, and records the PROVISION_ACK that comes back.</summary>
    public async Task<ProvisionAckPayload> ProvisionAsync(string serverId, string ssid, string passphrase)
    {
        try
        {
            var result = await bench.Processor.ProvisionAsync(new ProvisionPayload(ssid, passphrase, serverId), scenario.RunCancellation).ConfigureAwait(false);
            ProvisionAcks.Add(result);
            return result;
        }
        catch (TimeoutException ex)
        {
            throw new ExpectationException(ex.Message);
        }
    }

    /// <summary>Sends <paramref name="count"/> commands through a vendor server, one after the other, in the background; replies go to <see cref="Replies"/>.</summary>
    public void SendCommandsInBackground(string serverId, string name, int count)
    {
        var vendor = Cloud.Vendor(serverId);
        CommandsSent += count;
        lock (_commandJobs)
        {
            _commandJobs.Add(Task.Run(async () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var reply = await vendor.SendCommandAsync(DeviceId, name, null, TimeSpan.FromSeconds(15), scenario.RunCancellation).ConfigureAwait(false);
                    lock (_replies) _replies.Add(reply);
                }
            }));
        }
    }

    /// <summary>Waits for the commands sent in the background; their failures surface here.</summary>
    public async Task SendCommandsAsync()
    {
        Task[] jobs;
        lock (_commandJobs) jobs = _commandJobs.ToArray();
        await Task.WhenAll(jobs).ConfigureAwait(false);
    }

    /// <summary>The module's WiFi firmware as it answers "get-status" through its vendor server.</summary>
    public async Task<ModuleFirmware> ModuleFirmwareAsync(string serverId)
    {
        var reply = await Cloud.Vendor(serverId).SendCommandAsync(DeviceId, "get-status", null, TimeSpan.FromSeconds(10), scenario.RunCancellation).ConfigureAwait(false);
        var status = reply.Result is null ? null : CloudJson.TryDecode<StatusReport>(System.Text.Encoding.UTF8.GetBytes(reply.Result), out _);
        return status?.Module ?? throw new ExpectationException($"the module's get-status answer is not a status report: {reply.Result}");
    }

    /// <summary>The module image of a version from the firmware folder.</summary>
    public string ModuleImagePath(string version) =>
        new FirmwareCatalog(settings.FirmwareDirectory).Find(OtaInstruction.ModuleModelId, FirmwareVersion.Parse(version)).Path;
}
