using HilRig.Core.Timeline;
using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gherkin;
using HilRig.Protocol.Cloud;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// The scenario's hand on the gateway cluster (docs/cloud.md §5): the vendor backend's commands, the GMS,
/// and lightweight virtual devices beside the emulated module (the same device code the fleet runs).
/// </summary>
public sealed class GatewayDriver(BenchDriver bench, CloudDriver cloud, ScenarioRun scenario) : IAsyncDisposable
{
    private readonly List<GatewayDevice> _devices = new();
    private readonly List<(string Id, string Name, Task<CommandReply> Reply)> _commands = new();
    private CancellationTokenSource? _stream;
    private Task? _streamTask;

    /// <summary>The cluster.</summary>
    public GatewayCluster Cluster => cloud.Cloud.RequireGateway();

    /// <summary>The last rolling upgrade's result.</summary>
    public RolloutResult? Rollout { get; set; }

    /// <summary>The last single logical node upgrade's result.</summary>
    public LogicalNodeUpgrade? LogicalUpgrade { get; set; }

    /// <summary>Virtual devices started in this scenario.</summary>
    public IReadOnlyList<GatewayDevice> Devices => _devices;

    /// <summary>Every command a virtual device ran, by device: a command run twice shows here (docs/cloud.md §3.1).</summary>
    public CommandLedger Ledger { get; } = new();

    /// <summary>The bench timeline.</summary>
    public BenchTimeline Timeline => bench.Bench.Timeline;

    /// <summary>
    /// Starts <paramref name="count"/> virtual devices of a logical node, one after the other, each connected before the next asks;
    /// <paramref name="ignoresOffline"/>: an old firmware that does not know the offline instruction.
    /// </summary>
    public async Task StartDevicesAsync(int count, string logicalNode, bool ignoresOffline = false)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"vdev-{_devices.Count + 1:D3}";
            // Registered first: it gets a password, and mosquitto access nodes create its login before it asks for an address.
            await Cluster.RegisterDevicesAsync([id], scenario.RunCancellation);
            var device = Cluster.CreateDevice(new GatewayDeviceOptions(id, logicalNode) { IgnoresOffline = ignoresOffline }, CommandExecutors.Default, Ledger);
            _devices.Add(device);
            await device.StartAsync(scenario.RunCancellation).WaitAsync(TimeSpan.FromSeconds(20), scenario.RunCancellation);
        }
    }

    /// <summary>Registers a virtual device with the cluster and creates it, not started (the caller starts it when it should ask).</summary>
    public async Task<GatewayDevice> CreateDeviceAsync(GatewayDeviceOptions options)
    {
        await Cluster.RegisterDevicesAsync([options.DeviceId], scenario.RunCancellation);
        var device = Cluster.CreateDevice(options, CommandExecutors.Default, Ledger);
        _devices.Add(device);
        return device;
    }

    /// <summary>Sends one command to a device through the gateway; its reply is awaited later.</summary>
    public async Task<string> SubmitAsync(string deviceId, string name, string? argument)
    {
        var id = await Cluster.Dispatcher.SubmitAsync(deviceId, name, argument, scenario.RunCancellation);
        var reply = Cluster.Dispatcher.WhenRepliedAsync(id, scenario.RunCancellation);
        _ = reply.ContinueWith(t => Timeline.Add("rig", "gateway-reply", $"{id} ({name}) answered: {(t.IsCompletedSuccessfully ? t.Result.Result : t.Exception?.GetBaseException().Message)}"),
            TaskScheduler.Default);
        lock (_commands) _commands.Add((id, name, reply));
        Timeline.Add("rig", "gateway-command", $"{id} ({name}{(argument is null ? "" : $" {argument}")}) sent to {deviceId}");
        return id;
    }

    /// <summary>Keeps sending a command to a device every <paramref name="interval"/> until <see cref="StopStreamAsync"/>.</summary>
    public void StartStream(string deviceId, string name, TimeSpan interval)
    {
        _stream = CancellationTokenSource.CreateLinkedTokenSource(scenario.RunCancellation);
        var token = _stream.Token;
        _streamTask = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                // The first command goes at once, so even a step that ends quickly has commands in flight.
                await SubmitAsync(deviceId, name, null);
                while (await timer.WaitForNextTickAsync(token))
                {
                    await SubmitAsync(deviceId, name, null);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        });
    }

    /// <summary>Stops the command stream.</summary>
    public async Task StopStreamAsync()
    {
        if (_stream is null || _streamTask is null) return;
        await _stream.CancelAsync();
        await _streamTask;
    }

    /// <summary>Every command sent in this scenario with its reply task.</summary>
    public IReadOnlyList<(string Id, string Name, Task<CommandReply> Reply)> Commands { get { lock (_commands) return _commands.ToList(); } }

    /// <summary>The access node the module is ready on now (as the dispatcher routes to it).</summary>
    public AccessNode? ModuleNode => Cluster.Dispatcher.RouteOf(cloud.DeviceId);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopStreamAsync();
        _stream?.Dispose();
        foreach (var device in _devices) await device.DisposeAsync();
    }
}
