using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Power;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using HilRig.Serial;

namespace HilRig.Core.Double;

/// <summary>
/// What a Pi bench looks like from the rig's side, built outside the rig's process (`hilrig bench double`), so the
/// hardware code path runs on any Linux machine: for every UART end the wiring file names, a pty exposed at that
/// path (a symlink in a folder shaped like /dev/serial/by-id); the chips (the built-in emulated chip or any chip
/// command) on the far ends of those ptys; each chip's power, current and flash programming offered as commands
/// (the <c>bench</c> script, see <see cref="DoubleControl"/>). Only GPIO and I2C differ from a Pi; their contract
/// tests stay with their backends.
/// </summary>
public sealed class BenchDouble : IAsyncDisposable
{
    private readonly List<VirtualWire> _wires = new();
    private readonly List<string> _links = new();
    private readonly Dictionary<string, VirtualPowerSwitch> _power = new();
    private readonly Dictionary<string, NodeLaunch> _launches = new();
    private readonly Dictionary<string, Sensors.Ina219CurrentSensor> _sensors = new();
    private readonly BenchTimeline _timeline = new(null);
    private readonly StreamWriter _powerLog;
    private DoubleControl? _control;

    private BenchDouble(BenchWiring wiring, BenchDoubleOptions options)
    {
        Wiring = wiring;
        Options = options;
        Directory.CreateDirectory(options.Directory);
        _powerLog = new StreamWriter(Path.Combine(options.Directory, "power.log"), append: true) { AutoFlush = true };
    }

    /// <summary>The bench the double stands for.</summary>
    public BenchWiring Wiring { get; }

    /// <summary>How it was built.</summary>
    public BenchDoubleOptions Options { get; }

    /// <summary>The control script the wiring file's commands call.</summary>
    public string ControlScript => Path.Combine(Options.Directory, DoubleControl.ScriptName);

    /// <summary>Builds the double: ptys, symlinks, chips (all off) and the control channel.</summary>
    /// <exception cref="ArgumentException">The wiring file is not one a double can stand for; the message says why.</exception>
    public static BenchDouble Start(BenchWiring wiring, BenchDoubleOptions options)
    {
        RigThreadPool.Ensure();
        if (wiring.Kind != BenchKind.Hardware)
        {
            throw new ArgumentException($"{wiring.SourcePath}: a bench double stands for a hardware bench (kind: hardware); bench '{wiring.Name}' is virtual and needs no double");
        }
        if (wiring.Module.Kind != ModuleKind.Rig && wiring.Network?.Air is not { Kind: AirKind.Link })
        {
            throw new ArgumentException($"{wiring.SourcePath}:{wiring.Module.Line}: the double runs the device's own module only on a bench network it can hand the rig "
                + "(network.air: { kind: link, interface: NAME }); otherwise give the bench module: { kind: rig } (the rig is the module)");
        }
        var bench = new BenchDouble(wiring, options);
        try
        {
            var (upstream, downstream) = bench.LayWires();
            bench.PrepareChips(upstream, downstream);
            if (wiring.Module.Kind == ModuleKind.Device)
            {
                bench.PrepareModule(downstream[ModuleWiring.Name][0]);
            }
            bench.ExposeChipLogs();
            bench._control = DoubleControl.Start(bench, options.Directory);
        }
        catch
        {
            bench.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return bench;
    }

    private (Dictionary<string, string> Upstream, Dictionary<string, List<string>> Downstream) LayWires()
    {
        var upstream = new Dictionary<string, string>();
        var downstream = new Dictionary<string, List<string>>();
        foreach (var link in Wiring.Links)
        {
            var name = $"{link.From}-{link.To}";
            string fromEnd, toEnd;
            switch (link.RigMode)
            {
                case RigMode.Relay:
                    // far: the rig's UART toward the chip on one end, the chip's upstream UART on the other.
                    var far = Wire($"{name}/far");
                    Expose(link.FarDevicePath!, far.NearPath);
                    toEnd = far.FarPath;
                    if (link.NearDevicePath is { } nearPath)
                    {
                        var near = Wire($"{name}/near");
                        Expose(nearPath, near.FarPath);
                        fromEnd = near.NearPath;
                    }
                    else
                    {
                        fromEnd = ""; // the rig is the module: it owns this end itself
                    }
                    break;
                case RigMode.Direct:
                    var wire = Wire(name);
                    fromEnd = wire.NearPath;
                    toEnd = wire.FarPath;
                    break;
                default:
                    throw new ArgumentException($"{Wiring.SourcePath}:{link.Line}: the double lays relay and direct links; a tap link ({link.From} -> {link.To}) is not supported");
            }
            if (fromEnd.Length > 0)
            {
                if (!downstream.TryGetValue(link.From, out var list)) downstream[link.From] = list = new List<string>();
                list.Add(fromEnd);
            }
            upstream[link.To] = toEnd;
        }
        return (upstream, downstream);
    }

    private VirtualWire Wire(string name)
    {
        var wire = new VirtualWire(name);
        _wires.Add(wire);
        return wire;
    }

    /// <summary>Makes <paramref name="path"/> (a /dev/serial/by-id style name) lead to the pty <paramref name="pty"/>.</summary>
    private void Expose(string path, string pty)
    {
        if (path.StartsWith(SerialDevicePaths.ByIdDirectory + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{Wiring.SourcePath}: the double will not write into {SerialDevicePaths.ByIdDirectory}; name its UARTs under a folder of its own (./... relative to the wiring file)");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
        File.CreateSymbolicLink(path, pty);
        _links.Add(path);
    }

    private void PrepareChips(Dictionary<string, string> upstream, Dictionary<string, List<string>> downstream)
    {
        var flashDir = Path.Combine(Options.Directory, "flash");
        var logs = Path.Combine(Options.Directory, "logs");
        Directory.CreateDirectory(flashDir);
        foreach (var wired in Wiring.Chips)
        {
            var chip = Options.ChipCommand is { } command ? wired with { Command = command } : wired;
            var launch = new NodeLaunch(chip, upstream[chip.Name], downstream.GetValueOrDefault(chip.Name) ?? [],
                FlashPath(chip.Name), Wiring.UpstreamLink(chip.Name).BaudRate, null, Options.ChipDefects.GetValueOrDefault(chip.Name) ?? [],
                Wiring.DownstreamLinks(chip.Name).Select(l => l.BaudRate).ToList());
            _launches[chip.Name] = launch;
            var log = LogPath(chip.Name);
            _power[chip.Name] = new VirtualPowerSwitch(chip.Name, () => launch.Start(log, _timeline), _timeline);
        }
    }

    private DoubleModule? _module;

    /// <summary>The device's own module: flashed, in its namespace behind the bench network's link, off.</summary>
    private void PrepareModule(string downstream)
    {
        var module = _module = DoubleModule.CreateAsync(Wiring, Wiring.Network!, Options.Directory).GetAwaiter().GetResult();
        var baud = Wiring.DownstreamLinks(ModuleWiring.Name).Single().BaudRate;
        var state = Path.Combine(Options.Directory, "flash", "module-state.json");
        var log = LogPath(ModuleWiring.Name);
        _power[ModuleWiring.Name] = new VirtualPowerSwitch(ModuleWiring.Name, () => module.Start(downstream, baud, state, log, _timeline), _timeline);
    }

    /// <summary>
    /// Each chip whose wiring names a debug UART (<c>log:</c>) prints its log lines there too, as a board prints on its
    /// debug UART: a pty exposed at that path, written line by line (a line nobody reads is lost, as on a real line).
    /// </summary>
    private void ExposeChipLogs()
    {
        var ports = new Dictionary<string, Stream>();
        var uarts = Wiring.Chips.Where(c => c.LogDevicePath is not null).Select(c => (c.Name, Path: c.LogDevicePath!)).ToList();
        if (Wiring.Module.LogDevicePath is { } moduleLog && _module is not null)
        {
            uarts.Add((ModuleWiring.Name, moduleLog));
        }
        foreach (var (node, path) in uarts)
        {
            var wire = Wire($"{node}/log");
            Expose(path, wire.NearPath);
            var port = HilRig.Serial.PtyStream.Open(wire.FarPath);
            _logPorts.Add(port);
            ports[node] = port;
        }
        if (ports.Count == 0) return;
        _timeline.Recorded += e =>
        {
            if (e.Kind != "log" || !ports.TryGetValue(e.Source, out var port)) return;
            var bytes = System.Text.Encoding.UTF8.GetBytes(e.Summary + "\n");
            lock (port)
            {
                try
                {
                    port.Write(bytes);
                }
                catch (IOException)
                {
                    // Nobody reads the debug UART: the line is lost, as on a real one.
                }
            }
        };
    }

    private readonly List<Stream> _logPorts = new();

    private string FlashPath(string chip) => Path.Combine(Options.Directory, "flash", $"{chip}.bin");

    private string LogPath(string chip) => Path.Combine(Options.Directory, "logs", $"{chip}.log");

    /// <summary>The chip names.</summary>
    public IReadOnlyCollection<string> Chips => _power.Keys;

    /// <summary>Switches a chip on or off; every switching goes to power.log.</summary>
    public async Task SwitchAsync(string chip, bool on, CancellationToken cancellationToken)
    {
        var power = _power[chip];
        if (on) await power.OnAsync(cancellationToken).ConfigureAwait(false);
        else await power.OffAsync(cancellationToken).ConfigureAwait(false);
        LogPower($"{chip} {(on ? "on" : "off")}");
    }

    /// <summary>True when the chip is powered.</summary>
    public bool IsOn(string chip) => _power[chip].IsOn;

    /// <summary>
    /// The chip's supply current: nothing while off or when its program has ended (a dead chip), the sleep current
    /// when the last mode it logged is SLEEP, the awake current otherwise; measured by a simulated INA219 on the
    /// chip's supply and read with the dotnet/iot binding, as on a Pi bench.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No chip of that name.</exception>
    public double CurrentMilliamps(string chip)
    {
        Sensors.Ina219CurrentSensor sensor;
        lock (_sensors)
        {
            if (!_sensors.TryGetValue(chip, out sensor!))
            {
                _ = _power[chip];
                sensor = _sensors[chip] = Sensors.SimulatedIna219.OnNode(chip, () => DrawMilliamps(chip), deadBelowMilliamps: 0.5);
            }
        }
        // One reading at a time per sensor: the binding writes the register pointer, then reads.
        lock (sensor)
        {
            return sensor.ReadMilliampsAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private double DrawMilliamps(string chip)
    {
        if (_power[chip].Process is not { IsRunning: true }) return 0;
        return LastLoggedMode(chip) == ChipMode.Sleep
            ? Options.SleepMilliamps : Options.AwakeMilliamps;
    }

    /// <summary>The mode of the chip's last chip record (docs/protocol.md §11.2) in its log, if any.</summary>
    private ChipMode? LastLoggedMode(string chip)
    {
        var path = LogPath(chip);
        if (!File.Exists(path)) return null;
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            // The last few KiB hold the chip's latest mark write or boot record.
            stream.Seek(Math.Max(0, stream.Length - 8192), SeekOrigin.Begin);
            text = new StreamReader(stream).ReadToEnd();
        }
        ChipMode? mode = null;
        foreach (var line in text.Split('\n'))
        {
            if (ChipRecord.TryParse(line, out var record, out _)) mode = record!.Mode;
        }
        return mode;
    }

    /// <summary>
    /// Which firmware defects the chip starts with from its next power-on (a defective build flashed onto the board):
    /// defect names as `hilrig bench chip --defect` takes them; none for the reference behaviour.
    /// </summary>
    public void SetDefects(string chip, IReadOnlyList<string> defects)
    {
        var launch = _launches[chip];
        launch.ExtraArguments.Clear();
        foreach (var defect in defects) launch.ExtraArguments.AddRange(["--defect", defect]);
        LogPower($"{chip} defects {(defects.Count == 0 ? "none" : string.Join(",", defects))} from its next power-on");
    }

    /// <summary>Writes the chip's factory image into its flash again (the chip must be off), as a flasher would.</summary>
    /// <returns>Null when done, or why not.</returns>
    public string? Program(string chip)
    {
        if (_power[chip].IsOn) return $"{chip} is powered; switch it off before programming";
        if (chip == ModuleWiring.Name && _module is not null)
        {
            _module.Reflash(Wiring, Wiring.Network!);
            File.Delete(Path.Combine(Options.Directory, "flash", "module-state.json"));
            LogPower("module programmed (factory image, no network config)");
            return null;
        }
        File.Delete(FlashPath(chip));
        LogPower($"{chip} programmed");
        return null;
    }

    private void LogPower(string what)
    {
        lock (_powerLog) _powerLog.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss.fff} {what}");
    }

    /// <summary>Switches every chip off, stops the control channel, closes the ptys and removes the symlinks.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_control is not null) await _control.DisposeAsync().ConfigureAwait(false);
        foreach (var (chip, power) in _power)
        {
            if (power.IsOn) LogPower($"{chip} off (double stopping)");
            await power.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var port in _logPorts) await port.DisposeAsync().ConfigureAwait(false);
        foreach (var wire in _wires) wire.Dispose();
        foreach (var link in _links)
        {
            try { File.Delete(link); } catch (IOException) { }
        }
        if (_module is not null) await _module.DisposeAsync().ConfigureAwait(false);
        _powerLog.Dispose();
        _timeline.Dispose();
    }
}
