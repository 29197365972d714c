using HilRig.Bench.Node;
using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Messages;
using HilRig.Serial;

namespace HilRig.Core.Bench;

/// <summary>
/// A bench built from a wiring file with no hardware: every link is a pair of ptys (a relay link gets
/// one wire on each side of the rig), every node an OS process started through its virtual power switch.
/// The rig talks to the nodes only through the serial ports and the module's control channel.
/// </summary>
public sealed class VirtualBench : IBench, IEmulatedNodes
{
    private readonly List<VirtualWire> _wires = new();
    private int _disposed;
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
        _control = server;
        Cloud = cloud;
        Probe = new ChipProbe(wiring, _relays);
    }

    /// <summary>The bench's emulated servers and network (null when the wiring has no network section or they were not started).</summary>
    public CloudBench? Cloud { get; }

    /// <summary>The module's flash directory (its WiFi side's records), when the bench has a cloud.</summary>
    public string ModuleFlashDirectory => Path.Combine(Options.ArtifactsDirectory, "flash", "module");

    /// <summary>The bench description.</summary>
    public BenchWiring Wiring { get; }

    /// <summary>Run settings.</summary>
    public BenchOptions Options { get; }

    /// <summary>Everything that happened on this bench.</summary>
    public BenchTimeline Timeline { get; }

    private readonly ModuleControlServer _control;

    /// <summary>The module's control channel (the server side).</summary>
    public IModuleChannel Server => _control;

    /// <summary>STATUS queries through the relay links.</summary>
    public ChipProbe Probe { get; }

    /// <summary>The relay links by the name of the chip at their far end.</summary>
    public IReadOnlyDictionary<string, RelayLink> RelaysByChip => _relays;

    /// <summary>The power switch of a node ("module" or a chip name).</summary>
    public IPowerSwitch Power(string node) => _power.TryGetValue(node, out var p) ? p
        : throw new ArgumentException($"bench {Wiring.Name} has no node '{node}' (nodes: {string.Join(", ", _power.Keys)})");

    /// <inheritdoc />
    public event Action<string, int>? NodeEndedByItself;

    /// <summary>
    /// The supply current of an emulated node: a running process draws (nominally <see cref="ProcessSensor.RunningMilliamps"/>),
    /// one that has ended draws nothing, so a chip whose process died while powered reads as dead, not asleep.
    /// </summary>
    public ICurrentSensor? Sensor(string node) => _power.TryGetValue(node, out var p) && p is VirtualPowerSwitch v ? new ProcessSensor(v) : null;

    /// <inheritdoc />
    public Task WaitBootedAsync(string node, CancellationToken cancellationToken) =>
        Power(node) is VirtualPowerSwitch power ? power.WaitBootedAsync(Options.BootTimeout, cancellationToken) : Task.CompletedTask;

    /// <summary>How an emulated chip is started: extra arguments for every start or for the next one.</summary>
    public NodeLaunch Launch(string chip) => _launches.TryGetValue(chip, out var l) ? l
        : throw new ArgumentException($"bench {Wiring.Name} has no chip '{chip}'");

    /// <summary>Lays the wires, opens the relays and prepares power switches; every node stays off.</summary>
    public static VirtualBench Create(BenchWiring wiring, BenchOptions options)
    {
        RigThreadPool.Ensure();
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
            Wifi.IBenchAir? air = null;
            try
            {
                var ca = network.Tls ? Servers.CertificateAuthorities.Open(wiring, options, timeline) : null;
                // The network double: the module's side of the air in a namespace of its own, dnsmasq on the rig's side.
                air = network.Air is null ? null : Wifi.BenchAirs.StartAsync(wiring.Name, network, Path.Combine(options.ArtifactsDirectory, "air"),
                    Path.Combine(options.ArtifactsDirectory, "air.json"), timeline, CancellationToken.None).GetAwaiter().GetResult();
                cloud = CloudBench.StartAsync(network, timeline, Path.Combine(options.ArtifactsDirectory, "brokers"), CancellationToken.None, ca, air).GetAwaiter().GetResult();
            }
            catch
            {
                air?.DisposeAsync().AsTask().GetAwaiter().GetResult();
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
                Options.ChipDefects.GetValueOrDefault(chip.Name) ?? [], Wiring.DownstreamLinks(chip.Name).Select(BaudOf).ToList());
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
        var air = Cloud?.Air;
        _power[ModuleWiring.Name] = new VirtualPowerSwitch(ModuleWiring.Name, () =>
        {
            var (file, prefix) = NodeExecutable.Resolve();
            // In the network double the module runs inside the air's namespace: its only network is the station
            // interface (DHCP, the bench's DNS); the control channel (no part of the device's network) is a Unix socket.
            string[] control = air is null
                ? ["--control-port", _control.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                : ["--control-socket", _control.SocketPath, "--station", air.StationInterface!];
            var args = prefix.Concat(["module", "--downstream", modulePath, "--baud", BaudOf(moduleLink).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--state", statePath, .. control, .. networkArgs]).ToList();
            if (air is not null && air.StationCommandPrefix.Count > 0)
            {
                args.Insert(0, file);
                args.InsertRange(0, air.StationCommandPrefix.Skip(1));
                file = air.StationCommandPrefix[0];
            }
            return NodeProcess.Start(ModuleWiring.Name, file, args, Path.Combine(logs, "module.log"), Timeline);
        }, Timeline);
        foreach (var (node, power) in _power)
        {
            if (power is VirtualPowerSwitch virtualPower)
            {
                virtualPower.PoweringOn += () => RelayRestarts.SenderRestarted(Wiring, _relays, node);
                virtualPower.DiedOnItsOwn += code => NodeEndedByItself?.Invoke(node, code);
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
        var factory = cloud.FactoryConfig();
        if (Options.ModuleTrustedCaPem is { } otherCa)
        {
            factory = factory with { TrustedCaPem = otherCa };
        }
        if (Options.ModuleFactory is { } change)
        {
            factory = change(factory);
        }
        var files = Protocol.Cloud.ModuleFlashImage.Build(factory, header.Version.ToString(), image, config);
        Directory.CreateDirectory(ModuleFlashDirectory);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(ModuleFlashDirectory, name), bytes);
        }
        var air = Path.Combine(Options.ArtifactsDirectory, "air.json");
        if (cloud.Air is null)
        {
            // With a network double the double keeps the air file (the access point while it is up and admitting).
            File.WriteAllBytes(air, Protocol.Cloud.CloudJson.Encode(cloud.AirFile()));
        }
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
        await WaitBootedAsync(ModuleWiring.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Powers every node off (module first).</summary>
    public async Task PowerOffAllAsync(CancellationToken cancellationToken)
    {
        foreach (var power in _power.Values.Reverse())
        {
            await power.OffAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
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
        await _control.DisposeAsync().ConfigureAwait(false);
        if (Cloud is not null)
        {
            await Cloud.DisposeAsync().ConfigureAwait(false);
        }
        Timeline.Dispose();
    }
}
