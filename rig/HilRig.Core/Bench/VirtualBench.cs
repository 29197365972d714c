using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Power;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Bench;

/// <summary>
/// A bench built from a wiring file with no hardware: every link is a pair of ptys (a relay link gets
/// one wire on each side of the rig), every node an OS process started through its virtual power switch.
/// The rig talks to the nodes only through the serial ports and the module's control channel.
/// </summary>
public sealed class VirtualBench : IAsyncDisposable
{
    private readonly List<VirtualWire> _wires = new();
    private readonly Dictionary<string, RelayLink> _relays = new();
    private readonly Dictionary<string, List<string>> _downstreamPaths = new();
    private readonly Dictionary<string, string> _upstreamPaths = new();
    private readonly Dictionary<string, IPowerSwitch> _power = new();
    private readonly Dictionary<string, NodeLaunch> _launches = new();

    private VirtualBench(BenchWiring wiring, BenchOptions options, BenchTimeline timeline, ModuleControlServer server, CloudBench? cloud)
    {
        Wiring = wiring;
        Options = options;
        Timeline = timeline;
        Server = server;
        Cloud = cloud;
        Probe = new ChipProbe(this);
    }

    /// <summary>The bench's emulated servers and network (null when the wiring has no network section or they were not started).</summary>
    public CloudBench? Cloud { get; }

    /// <summary>The cloud, or a clear error for a bench without one.</summary>
    public CloudBench RequireCloud() => Cloud ?? throw new InvalidOperationException(
        $"{Wiring.SourcePath}: bench '{Wiring.Name}' has no network section, so it has no servers (see wiring/sim-chain.yaml)");

    /// <summary>The module's flash directory (its WiFi side's records), when the bench has a cloud.</summary>
    public string ModuleFlashDirectory => Path.Combine(Options.ArtifactsDirectory, "flash", "module");

    /// <summary>The bench description.</summary>
    public BenchWiring Wiring { get; }

    /// <summary>Run settings.</summary>
    public BenchOptions Options { get; }

    /// <summary>Everything that happened on this bench.</summary>
    public BenchTimeline Timeline { get; }

    /// <summary>The module's control channel (the server side).</summary>
    public ModuleControlServer Server { get; }

    /// <summary>STATUS queries through the relay links.</summary>
    public ChipProbe Probe { get; }

    /// <summary>The relay links by the name of the chip at their far end.</summary>
    public IReadOnlyDictionary<string, RelayLink> RelaysByChip => _relays;

    /// <summary>The power switch of a node ("module" or a chip name).</summary>
    public IPowerSwitch Power(string node) => _power.TryGetValue(node, out var p) ? p
        : throw new ArgumentException($"bench {Wiring.Name} has no node '{node}' (nodes: {string.Join(", ", _power.Keys)})");

    /// <summary>How an emulated chip is started: extra arguments for every start or for the next one.</summary>
    public NodeLaunch Launch(string chip) => _launches.TryGetValue(chip, out var l) ? l
        : throw new ArgumentException($"bench {Wiring.Name} has no chip '{chip}'");

    /// <summary>Lays the wires, opens the relays and prepares power switches; every node stays off.</summary>
    public static VirtualBench Create(BenchWiring wiring, BenchOptions options)
    {
        Nodes.RigThreadPool.Ensure();
        if (wiring.Kind != BenchKind.Virtual)
        {
            throw new ArgumentException($"{wiring.SourcePath}: bench '{wiring.Name}' is a hardware bench; a virtual bench needs kind: virtual");
        }
        Directory.CreateDirectory(options.ArtifactsDirectory);
        var timeline = new BenchTimeline(Path.Combine(options.ArtifactsDirectory, "timeline.ndjson"));
        var server = new ModuleControlServer(timeline);
        server.Start();
        CloudBench? cloud = null;
        if (wiring.Network is { } network && options.StartCloud)
        {
            try
            {
                cloud = CloudBench.StartAsync(network, timeline, Path.Combine(options.ArtifactsDirectory, "brokers"), CancellationToken.None).GetAwaiter().GetResult();
            }
            catch
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                timeline.Dispose();
                throw;
            }
        }
        var bench = new VirtualBench(wiring, options, timeline, server, cloud);
        try
        {
            bench.LayLinks();
            bench.CreatePowerSwitches();
        }
        catch
        {
            bench.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return bench;
    }

    private int BaudOf(LinkWiring link) => Options.BaudRateOverride ?? link.BaudRate;

    private void LayLinks()
    {
        foreach (var link in Wiring.Links)
        {
            var name = $"{link.From}-{link.To}";
            string upstreamEnd, downstreamEnd;
            if (link.RigMode == RigMode.Relay)
            {
                var near = new VirtualWire($"{name}/near");
                var far = new VirtualWire($"{name}/far");
                _wires.Add(near);
                _wires.Add(far);
                var relay = new RelayLink(name, near.FarPath, far.NearPath, BaudOf(link), Timeline);
                relay.Start();
                _relays[link.To] = relay;
                upstreamEnd = near.NearPath;
                downstreamEnd = far.FarPath;
                if (link.Unplugged)
                {
                    // The cable between the rig and the chip is not plugged in: the chip's upstream UART is a
                    // wire of its own that leads nowhere, and the rig's far UART talks into the void.
                    var dangling = new VirtualWire($"{name}/unplugged");
                    _wires.Add(dangling);
                    downstreamEnd = dangling.FarPath;
                    Timeline.Add(name, "unplugged", $"link {link.From} -> {link.To} is unplugged (wiring line {link.Line})");
                }
            }
            else
            {
                var wire = new VirtualWire(name);
                _wires.Add(wire);
                if (link.RigMode == RigMode.Tap)
                {
                    TapDecoder.Attach(wire, name, Timeline);
                }
                upstreamEnd = wire.NearPath;
                downstreamEnd = wire.FarPath;
            }
            if (!_downstreamPaths.TryGetValue(link.From, out var list))
            {
                _downstreamPaths[link.From] = list = new List<string>();
            }
            list.Add(upstreamEnd);
            _upstreamPaths[link.To] = downstreamEnd;
        }
    }

    private void CreatePowerSwitches()
    {
        var logs = Path.Combine(Options.ArtifactsDirectory, "logs");
        var flashDir = Path.Combine(Options.ArtifactsDirectory, "flash");
        Directory.CreateDirectory(flashDir);
        var builds = new Dictionary<ChipBuild, FirmwareBuild>();
        foreach (var chip in Wiring.Chips)
        {
            var launch = new NodeLaunch(chip, _upstreamPaths[chip.Name], _downstreamPaths.GetValueOrDefault(chip.Name) ?? [],
                Path.Combine(flashDir, $"{chip.Name}.bin"), BaudOf(Wiring.UpstreamLink(chip.Name)), Options.SlotSizeOverrideBytes,
                Options.ChipDefects.GetValueOrDefault(chip.Name) ?? []);
            _launches[chip.Name] = launch;
            // One build per distinct command: the chips of a bench share their firmware.
            var build = chip.Build is { } b ? builds.TryGetValue(b, out var known) ? known
                : builds[b] = new FirmwareBuild(b, chip.Name, Timeline, FirmwareBuild.DefaultTimeout) : null;
            _power[chip.Name] = new VirtualPowerSwitch(chip.Name,
                () => launch.Start(Path.Combine(logs, $"{chip.Name}.log"), Timeline), Timeline)
            {
                BeforePowerOn = build is null ? null : build.EnsureBuiltAsync,
            };
        }
        var moduleLink = Wiring.DownstreamLinks(ModuleWiring.Name).Single();
        var modulePath = _downstreamPaths[ModuleWiring.Name][0];
        var statePath = Path.Combine(flashDir, "module-state.json");
        var networkArgs = Cloud is null ? [] : ProgramModuleFlash(Cloud);
        _power[ModuleWiring.Name] = new VirtualPowerSwitch(ModuleWiring.Name, () =>
        {
            var (file, prefix) = HilrigExecutable.Resolve();
            var args = prefix.Concat(["bench", "module", "--downstream", modulePath, "--baud", BaudOf(moduleLink).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--state", statePath, "--control-port", Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. networkArgs]);
            return NodeProcess.Start(ModuleWiring.Name, file, args, Path.Combine(logs, "module.log"), Timeline);
        }, Timeline);
        foreach (var (node, power) in _power)
        {
            if (power is VirtualPowerSwitch virtualPower)
            {
                virtualPower.PoweringOn += () => SenderRestarted(node);
            }
        }
    }

    /// <summary>The relays that carry what <paramref name="node"/> sends drop the half frame its last power-off left.</summary>
    private void SenderRestarted(string node)
    {
        if (_relays.TryGetValue(node, out var above))
        {
            above.SenderRestarted(Direction.Upstream);
        }
        foreach (var child in Wiring.Children(node))
        {
            if (_relays.TryGetValue(child, out var below))
            {
                below.SenderRestarted(Direction.Downstream);
            }
        }
    }

    /// <summary>
    /// Programs the module's flash like a factory (identity, access config table pointing at the network gates,
    /// WiFi firmware 2.0.0 in slot A, the network config of <see cref="BenchOptions.ModuleNetwork"/>) and writes the
    /// air file; returns the module's extra arguments.
    /// </summary>
    private string[] ProgramModuleFlash(CloudBench cloud)
    {
        var network = cloud.Wiring;
        var config = Options.ModuleNetwork is { } choose ? choose(network)
            : new Protocol.Cloud.NetworkConfig(0, network.Wifi.Ssid, network.Wifi.Passphrase, network.Vendors[0].Id);
        var imagePath = Wiring.Module.FactoryImage ?? throw new InvalidOperationException(
            $"{Wiring.SourcePath}: the module needs a factory_image (its WiFi firmware) when the bench has a network section");
        var image = File.ReadAllBytes(imagePath);
        var header = Protocol.Images.ImageHeader.TryDecode(image, out var error)
            ?? throw new InvalidDataException($"{imagePath}: not a firmware image ({error})");
        var files = Protocol.Cloud.ModuleFlashImage.Build(cloud.FactoryConfig(), header.Version.ToString(), image, config);
        Directory.CreateDirectory(ModuleFlashDirectory);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(ModuleFlashDirectory, name), bytes);
        }
        var air = Path.Combine(Options.ArtifactsDirectory, "air.json");
        File.WriteAllBytes(air, Protocol.Cloud.CloudJson.Encode(cloud.Air()));
        var defects = Options.ChipDefects.GetValueOrDefault(ModuleWiring.Name) ?? [];
        return ["--network-flash", ModuleFlashDirectory, "--air", air, .. defects.SelectMany(d => new[] { "--defect", d })];
    }

    /// <summary>Powers every chip and then the module on, and waits until every chip answers STATUS.</summary>
    public async Task PowerOnAllAsync(CancellationToken cancellationToken)
    {
        foreach (var chip in Wiring.Chips)
        {
            await Power(chip.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        }
        await Power(ModuleWiring.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Wiring.Chips.Where(c => _relays.ContainsKey(c.Name))
            .Select(c => Probe.WaitUntilAnswersAsync(c.Name, Options.BootTimeout, cancellationToken))).ConfigureAwait(false);
        // The module has its UART open once it has printed its boot line (a PROVISION sent now reaches it).
        if (Power(ModuleWiring.Name) is VirtualPowerSwitch module)
        {
            await module.WaitBootedAsync(Options.BootTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Powers every node off (module first).</summary>
    public async Task PowerOffAllAsync(CancellationToken cancellationToken)
    {
        foreach (var power in _power.Values.Reverse())
        {
            await power.OffAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The deadline of each STATUS try before <see cref="QueryAllAsync"/> reads silence: the usual 400 ms, then longer,
    /// since a loaded machine can keep an awake chip's process from running for more than a second (seen in CI-like
    /// runs at a load average of 11 on 2 cores). A late answer to an earlier try counts, so silence means 3.4 s of it.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> StatusTries = [ChipProbe.StatusTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>The status of every chip right now, by name; null means silence (sleep, or off) through every one of <see cref="StatusTries"/>.</summary>
    public async Task<IReadOnlyDictionary<string, StatusPayload?>> QueryAllAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, StatusPayload?>();
        foreach (var chip in Wiring.Chips)
        {
            result[chip.Name] = await QueryStatusAsync(chip.Name, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>The status of one chip right now; null means silence (sleep, or off) through every one of <see cref="StatusTries"/>.</summary>
    public async Task<StatusPayload?> QueryStatusAsync(string chipName, CancellationToken cancellationToken)
    {
        foreach (var timeout in StatusTries)
        {
            if (await Probe.QueryStatusAsync(chipName, cancellationToken, timeout).ConfigureAwait(false) is { } status)
            {
                return status;
            }
        }
        return null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var power in _power.Values.Reverse())
        {
            if (power is IAsyncDisposable d) await d.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var relay in _relays.Values)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var wire in _wires)
        {
            wire.Dispose();
        }
        await Server.DisposeAsync().ConfigureAwait(false);
        if (Cloud is not null)
        {
            await Cloud.DisposeAsync().ConfigureAwait(false);
        }
        Timeline.Dispose();
    }
}
