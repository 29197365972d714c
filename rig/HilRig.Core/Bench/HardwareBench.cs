using System.Globalization;
using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Serial;

namespace HilRig.Core.Bench;

/// <summary>
/// A bench of real boards (<c>kind: hardware</c>): every relay link is a pair of serial devices the rig opens (stable
/// /dev/serial/by-id names), power goes through the GPIO or command backend the wiring names and is driven off on
/// exit, SIGTERM and SIGINT, currents come from the nodes' sensors. The rig starts no node: boards boot when powered.
/// Before a scenario each chip with a <c>program</c> command gets its factory image written, so every scenario starts
/// from the same flash. With <c>module: { kind: rig }</c> the rig itself is the module on the first link.
/// </summary>
public sealed class HardwareBench : IBench
{
    /// <summary>How long a chip's <c>program</c> command may take (a flasher over SWD writes a few hundred KiB in seconds).</summary>
    public static readonly TimeSpan ProgramTimeout = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, RelayLink> _relays = new();
    private readonly Dictionary<string, IPowerSwitch> _power = new();
    private readonly Dictionary<string, ICurrentSensor> _sensors = new();
    private readonly List<VirtualWire> _wires = new();
    private readonly List<NodeLogPort> _logs = new();
    private int _disposed;
    private readonly ModuleControlServer _control;
    private readonly PowerSafety _safety;
    private readonly HardwareBackends _backends;
    private readonly string _wiringDirectory;
    private string? _moduleUart;

    private HardwareBench(BenchWiring wiring, BenchOptions options, BenchTimeline timeline, ModuleControlServer control)
    {
        Wiring = wiring;
        Options = options;
        Timeline = timeline;
        _control = control;
        _backends = options.Backends;
        _safety = new PowerSafety(hookProcess: true);
        _wiringDirectory = Path.GetDirectoryName(Path.GetFullPath(wiring.SourcePath)) ?? ".";
        Probe = new ChipProbe(wiring, _relays);
    }

    /// <inheritdoc />
    public BenchWiring Wiring { get; }

    /// <inheritdoc />
    public BenchOptions Options { get; }

    /// <inheritdoc />
    public BenchTimeline Timeline { get; }

    /// <inheritdoc />
    public ChipProbe Probe { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, RelayLink> RelaysByChip => _relays;

    /// <inheritdoc />
    public IModuleChannel Server => _control;

    /// <inheritdoc />
    /// <remarks>A bench whose module is the device's own has its servers on the bench network (network: air:); a bench
    /// where the rig is the module has none.</remarks>
    public CloudBench? Cloud { get; private set; }

    /// <inheritdoc />
    public string ModuleFlashDirectory => Path.Combine(Options.ArtifactsDirectory, "flash", "module");

    /// <inheritdoc />
    public IPowerSwitch Power(string node) => _power.TryGetValue(node, out var p) ? p
        : throw new ArgumentException($"bench {Wiring.Name} has no node '{node}' (nodes: {string.Join(", ", _power.Keys)})");

    /// <inheritdoc />
    public ICurrentSensor? Sensor(string node) => _sensors.GetValueOrDefault(node);

    /// <inheritdoc />
    /// <remarks>A board gives no sign of having booted but its answers: the STATUS queries that follow wait for it.</remarks>
    public Task WaitBootedAsync(string node, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens every UART, power line and sensor the wiring names; every node is driven off.</summary>
    /// <exception cref="BenchSetupException">A serial device, GPIO chip, sensor or the module the wiring names is not usable; the message names the wiring line.</exception>
    public static HardwareBench Create(BenchWiring wiring, BenchOptions options)
    {
        RigThreadPool.Ensure();
        if (wiring.Kind != BenchKind.Hardware)
        {
            throw new BenchSetupException($"{wiring.SourcePath}: bench '{wiring.Name}' is a virtual bench; a hardware bench needs kind: hardware");
        }
        // The serial devices first: a bench without its adapters is the commonest mistake, and it says so before anything is switched.
        var devices = ResolveDevices(wiring, options.Backends);
        if (wiring.Module.Kind != ModuleKind.Rig && wiring.Network?.Air is null)
        {
            throw new BenchSetupException($"{wiring.SourcePath}:{wiring.Module.Line}: the device's own comm module starts its campaigns from the target OTA server "
                + "on the bench network: give the wiring network.air (docs/wiring.md \"The bench network\"); to test the MCU chain alone, let the rig be the module: module: { kind: rig }");
        }
        Directory.CreateDirectory(Path.Combine(options.ArtifactsDirectory, "flash"));
        var timeline = new BenchTimeline(Path.Combine(options.ArtifactsDirectory, "timeline.ndjson"));
        var control = new ModuleControlServer(timeline);
        control.Start();
        var bench = new HardwareBench(wiring, options, timeline, control);
        try
        {
            bench.LayLinks(devices);
            bench.OpenNodeLogs(devices);
            bench.CreatePowerSwitches();
            bench.CreateSensors();
            bench.AllOffAtStart();
            if (wiring.Module.Kind == ModuleKind.Device && wiring.Network is { } network && options.StartCloud)
            {
                bench.StartCloud(network);
            }
        }
        catch
        {
            bench.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return bench;
    }

    /// <summary>The first serial device of the wiring that is missing, as one line naming it and the wiring line; null when all are there.</summary>
    internal static string? Preflight(BenchWiring wiring, HardwareBackends backends)
    {
        try
        {
            ResolveDevices(wiring, backends);
            return null;
        }
        catch (BenchSetupException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Every device path of the relay links and the chips' debug UARTs, resolved once (a debug UART under its chip's upstream link and "log"); the first one missing ends the setup with its wiring line.</summary>
    private static Dictionary<(LinkWiring, string), string> ResolveDevices(BenchWiring wiring, HardwareBackends backends)
    {
        var resolved = new Dictionary<(LinkWiring, string), string>();
        foreach (var chip in wiring.Chips.Where(c => c.LogDevicePath is not null))
        {
            try
            {
                resolved[(wiring.UpstreamLink(chip.Name), "log")] = SerialDevicePaths.Resolve(chip.LogDevicePath!, backends.SerialByIdDirectory);
            }
            catch (FileNotFoundException ex)
            {
                throw new BenchSetupException($"{wiring.SourcePath}:{chip.Line}: {chip.Name}'s debug UART (log): {ex.Message}", ex);
            }
        }
        if (wiring.Module.LogDevicePath is { } moduleLog)
        {
            try
            {
                resolved[(wiring.DownstreamLinks(ModuleWiring.Name).Single(), "module-log")] = SerialDevicePaths.Resolve(moduleLog, backends.SerialByIdDirectory);
            }
            catch (FileNotFoundException ex)
            {
                throw new BenchSetupException($"{wiring.SourcePath}:{wiring.Module.Line}: the module's debug UART (log): {ex.Message}", ex);
            }
        }
        foreach (var link in wiring.Links.Where(l => l.RigMode == RigMode.Relay))
        {
            foreach (var (end, path) in new[] { ("near", link.NearDevicePath), ("far", link.FarDevicePath) })
            {
                if (path is null) continue;
                try
                {
                    resolved[(link, end)] = SerialDevicePaths.Resolve(path, backends.SerialByIdDirectory);
                }
                catch (FileNotFoundException ex)
                {
                    throw new BenchSetupException($"{wiring.SourcePath}:{link.Line}: link {link.From} -> {link.To}, the rig's UART toward "
                        + $"{(end == "near" ? link.From : link.To)} ({end}): {ex.Message}", ex);
                }
            }
        }
        return resolved;
    }

    private void LayLinks(Dictionary<(LinkWiring, string), string> devices)
    {
        foreach (var link in Wiring.Links)
        {
            var name = $"{link.From}-{link.To}";
            if (link.RigMode != RigMode.Relay)
            {
                Timeline.Add(name, "unobserved", $"link {link.From} -> {link.To} is rig: {link.RigMode.ToString().ToLowerInvariant()}: the rig does not relay it (wiring line {link.Line})");
                continue;
            }
            string near;
            if (link.From == ModuleWiring.Name && Wiring.Module.Kind == ModuleKind.Rig)
            {
                // The rig is the module: its chain side talks into an in-process wire whose other end is this relay's near side.
                var wire = new VirtualWire($"{name}/rig-module");
                _wires.Add(wire);
                near = wire.FarPath;
                _moduleUart = wire.NearPath;
            }
            else
            {
                near = devices[(link, "near")];
            }
            var relay = new RelayLink(name, near, devices[(link, "far")], link.BaudRate, Timeline);
            try
            {
                relay.Start();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{link.Line}: link {link.From} -> {link.To}: cannot open its UARTs: {ex.Message}", ex);
            }
            _relays[link.To] = relay;
        }
    }

    private void OpenNodeLogs(Dictionary<(LinkWiring, string), string> devices)
    {
        var uarts = Wiring.Chips.Where(c => c.LogDevicePath is not null)
            .Select(c => (Node: c.Name, Path: c.LogDevicePath!, Line: c.Line, Key: (Wiring.UpstreamLink(c.Name), "log"), Baud: Wiring.UpstreamLink(c.Name).BaudRate)).ToList();
        if (Wiring.Module.LogDevicePath is { } moduleLog)
        {
            var link = Wiring.DownstreamLinks(ModuleWiring.Name).Single();
            uarts.Add((ModuleWiring.Name, moduleLog, Wiring.Module.Line, (link, "module-log"), link.BaudRate));
        }
        foreach (var (node, path, line, key, baud) in uarts)
        {
            var log = new NodeLogPort(node, devices[key], baud, Path.Combine(Options.ArtifactsDirectory, "logs", $"{node}.log"), Timeline);
            try
            {
                log.Start();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{line}: {node}'s debug UART (log) {path}: {ex.Message}", ex);
            }
            _logs.Add(log);
        }
    }

    private void CreatePowerSwitches()
    {
        foreach (var chip in Wiring.Chips)
        {
            IPowerSwitch backend;
            try
            {
                backend = _backends.CreatePowerSwitch(chip.Name, chip.Power, _safety, _wiringDirectory);
            }
            catch (Exception ex) when (ex is PowerSwitchException or ArgumentException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{chip.Power.SourceLine}: power of {chip.Name}: {ex.Message}", ex);
            }
            var power = new TimelinePowerSwitch(backend, Timeline);
            var node = chip.Name;
            power.PoweringOn += () => RelayRestarts.SenderRestarted(Wiring, _relays, node);
            _power[chip.Name] = power;
        }
        var moduleLink = Wiring.DownstreamLinks(ModuleWiring.Name).Single();
        if (Wiring.Module.Kind == ModuleKind.Device)
        {
            // The device's own module: switched like a chip; it reaches the servers over the bench network.
            IPowerSwitch backend;
            try
            {
                backend = _backends.CreatePowerSwitch(ModuleWiring.Name, Wiring.Module.Power, _safety, _wiringDirectory);
            }
            catch (Exception ex) when (ex is PowerSwitchException or ArgumentException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{Wiring.Module.Power.SourceLine}: power of the module: {ex.Message}", ex);
            }
            var devicePower = new TimelinePowerSwitch(backend, Timeline);
            devicePower.PoweringOn += () => RelayRestarts.SenderRestarted(Wiring, _relays, ModuleWiring.Name);
            _power[ModuleWiring.Name] = devicePower;
            return;
        }
        var module = new RigModule(_moduleUart ?? throw new BenchSetupException($"{Wiring.SourcePath}:{moduleLink.Line}: with module kind 'rig' the link from the module must be rig: relay"),
            moduleLink.BaudRate, Path.Combine(Options.ArtifactsDirectory, "flash", "module-state.json"), _control.Port,
            Path.Combine(Options.ArtifactsDirectory, "logs", "module.log"), Timeline);
        module.PoweringOn += () => RelayRestarts.SenderRestarted(Wiring, _relays, ModuleWiring.Name);
        _power[ModuleWiring.Name] = module;
    }

    private void CreateSensors()
    {
        foreach (var (node, sensor) in Wiring.Chips.Select(c => (c.Name, c.Sensor)).Append((ModuleWiring.Name, Wiring.Module.Sensor)))
        {
            if (sensor is null) continue;
            try
            {
                _sensors[node] = _backends.CreateCurrentSensor(node, sensor, _wiringDirectory);
            }
            catch (Exception ex) when (ex is SensorException or ArgumentException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{sensor.Line}: sensor of {node}: {ex.Message}", ex);
            }
        }
    }

    private void AllOffAtStart()
    {
        foreach (var chip in Wiring.Chips)
        {
            try
            {
                Power(chip.Name).OffAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (PowerSwitchException ex)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{chip.Power.SourceLine}: power of {chip.Name}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// The bench network and its servers for the device's own module: the access point (hostapd on a Pi, or the bench
    /// double's link), dnsmasq, the bench CA's certificates, the servers on the rig's address with the credentials and
    /// ports the module's firmware holds.
    /// </summary>
    private void StartCloud(NetworkWiring network)
    {
        try
        {
            var ca = network.Tls ? Servers.CertificateAuthorities.Open(Wiring, Options, Timeline) : null;
            var air = Wifi.BenchAirs.StartAsync(Wiring.Name, network, Path.Combine(Options.ArtifactsDirectory, "air"), null, Timeline, CancellationToken.None)
                .GetAwaiter().GetResult();
            try
            {
                Cloud = CloudBench.StartAsync(network, Timeline, Path.Combine(Options.ArtifactsDirectory, "brokers"), CancellationToken.None, ca, air).GetAwaiter().GetResult();
            }
            catch
            {
                air.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or NotSupportedException or System.Net.Sockets.SocketException
            or global::HilRig.Servers.Tls.CertificateAuthorityException)
        {
            throw new BenchSetupException($"{Wiring.SourcePath}:{network.Line}: the bench network: {ex.Message}", ex);
        }
    }

    /// <summary>Writes each chip's factory image with its <c>program</c> command (power off), so the scenario starts from a known flash.</summary>
    private async Task ProgramFactoryImagesAsync(CancellationToken cancellationToken)
    {
        var nodes = Wiring.Chips.Select(c => (c.Name, c.Program, Image: c.FactoryImagePath, c.Line, ModelId: $"0x{c.ModelId:X2}"))
            .Append((ModuleWiring.Name, Wiring.Module.Program, Image: Wiring.Module.FactoryImage, Wiring.Module.Line, ModelId: "0x01"));
        foreach (var chip in nodes)
        {
            if (chip.Program is not { } template || chip.Image is not { } image) continue;
            var command = CommandTemplate.Expand(template, new Dictionary<string, string>
            {
                ["image"] = image,
                ["name"] = chip.Name,
                [CommandTemplate.ModelId] = chip.ModelId,
            });
            ShellResult result;
            try
            {
                result = await ShellCommand.RunAsync(command, _wiringDirectory, ProgramTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{chip.Line}: program {chip.Name}: {ex.Message}", ex);
            }
            if (result.ExitCode != 0)
            {
                throw new BenchSetupException($"{Wiring.SourcePath}:{chip.Line}: program {chip.Name}: `{command}` failed with exit code {result.ExitCode}: {result.Stderr}");
            }
            Timeline.Add(chip.Name, "program", $"factory image {Path.GetFileName(image)} written: {command}");
        }
    }

    /// <inheritdoc />
    public async Task PowerOnAllAsync(CancellationToken cancellationToken)
    {
        await ProgramFactoryImagesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chip in Wiring.Chips)
        {
            await Power(chip.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        }
        await Power(ModuleWiring.Name).OnAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Wiring.Chips.Where(c => _relays.ContainsKey(c.Name))
            .Select(c => Probe.WaitUntilAnswersAsync(c.Name, Options.BootTimeout, cancellationToken))).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task PowerOffAllAsync(CancellationToken cancellationToken)
    {
        await Power(ModuleWiring.Name).OffAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chip in Wiring.Chips.Reverse())
        {
            await Power(chip.Name).OffAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Leaves every node off (the safe state), whatever happened.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var power in _power.Values.Reverse())
        {
            try
            {
                await power.OffAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (PowerSwitchException ex)
            {
                Timeline.Add(power.Node, "error", $"could not switch off at the end: {ex.Message}");
            }
        }
        _safety.AllOff();
        foreach (var power in _power.Values)
        {
            if (power is IAsyncDisposable a) await a.DisposeAsync().ConfigureAwait(false);
            else (power as IDisposable)?.Dispose();
        }
        foreach (var relay in _relays.Values)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var log in _logs)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var wire in _wires)
        {
            wire.Dispose();
        }
        foreach (var sensor in _sensors.Values)
        {
            (sensor as IDisposable)?.Dispose();
        }
        _safety.Dispose();
        _backends.CloseGpioChips();
        await _control.DisposeAsync().ConfigureAwait(false);
        if (Cloud is not null) await Cloud.DisposeAsync().ConfigureAwait(false);
        Timeline.Dispose();
    }
}
