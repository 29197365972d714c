using System.Threading.Channels;
using HilRig.Bench.Flash;
using HilRig.Bench.Uart;
using HilRig.Protocol.Framing;

namespace HilRig.Bench.Chip;

/// <summary>Options of an emulated chip process (`hilrig bench chip`).</summary>
/// <param name="Config">Model id, port count and flash geometry.</param>
/// <param name="UpstreamPath">Serial device towards the module.</param>
/// <param name="DownstreamPaths">Serial devices towards farther chips.</param>
/// <param name="FlashPath">Flash file (created erased when missing).</param>
/// <param name="BaudRate">Line rate.</param>
/// <param name="FactoryImagePath">Image programmed into slot A when the flash file is new.</param>
/// <param name="Operating">The device body starts operating.</param>
/// <param name="Defects">Firmware defects to run with.</param>
/// <param name="CutAtFlashOperation">Cut the power inside this flash operation (1-based, counted from
/// power-on, factory programming excluded); null for no cut.</param>
/// <param name="Seed">With the operation number, decides how the cut operation is torn.</param>
/// <param name="LogFlashOperations">Log every flash operation as it begins.</param>
public sealed record ChipHostOptions(
    ChipConfig Config, string UpstreamPath, IReadOnlyList<string> DownstreamPaths, string FlashPath,
    int BaudRate, string? FactoryImagePath, bool Operating, ChipDefect Defects = ChipDefect.None,
    long? CutAtFlashOperation = null, int Seed = 0, bool LogFlashOperations = false);

/// <summary>
/// Runs <see cref="ChipFirmware"/> on real ports: one reader per UART feeds a single event loop, so the
/// firmware sees one frame at a time like a main loop on an MCU. Killing the process is a power cut;
/// <see cref="ChipHostOptions.CutAtFlashOperation"/> makes the chip cut its own power inside a flash
/// operation and exit with <see cref="PowerCutExitCode"/>.
/// </summary>
public sealed class ChipHost : IChipOutput
{
    /// <summary>The exit code of a chip process that cut its own power inside a flash operation.</summary>
    public const int PowerCutExitCode = 86;

    /// <summary>
    /// How long a chip cut inside a flash operation lets its UARTs finish the bytes queued before it. Only
    /// a bound for a stuck port: a chip queues a few frames at a time, each at most 1039 bytes
    /// (docs/protocol.md §3.1), 90 ms at 115 200 baud.
    /// </summary>
    public const int PowerCutDrainTimeoutMs = 2000;

    /// <summary>How late the slow-status defect answers STATUS_REQ: well past the 50 ms of docs/protocol.md §7.6.</summary>
    public const int SlowStatusDelayMs = 120;

    /// <summary>The exit code of a chip that died on its own (a defect), not of a planned power cut.</summary>
    public const int DeadExitCode = 87;

    private readonly ChipHostOptions _options;
    private readonly List<UartPort> _ports = new();
    private readonly Channel<(int Port, byte[] Bytes)> _inbox = Channel.CreateUnbounded<(int, byte[])>();
    private readonly TextWriter _log;

    /// <summary>Creates a host writing its log to <paramref name="log"/>.</summary>
    public ChipHost(ChipHostOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>Boots the chip and runs until cancelled or a port fails.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var layout = _options.Config.Layout;
        var fresh = !File.Exists(_options.FlashPath);
        using var flash = NorFlash.Open(_options.FlashPath, layout.TotalSizeBytes, layout.SectorSizeBytes);
        if (fresh && _options.FactoryImagePath is not null)
        {
            FactoryProgrammer.Program(flash, layout, File.ReadAllBytes(_options.FactoryImagePath));
        }
        // Attached after factory programming: a production-line step is no cut point of the firmware.
        var plan = new FlashFaultPlan(_options.CutAtFlashOperation, _options.Seed);
        if (_options.LogFlashOperations)
        {
            plan.OperationStarting += operation => Log(operation.ToString());
        }
        flash.FaultPlan = plan;
        var failure = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, failure.Token);
        var paths = new[] { _options.UpstreamPath }.Concat(_options.DownstreamPaths).ToList();
        // The UARTs open before the firmware boots and prints its boot record: bytes that arrive from then on
        // wait in the inbox, so a chip that has printed "boot" is listening (the rig's recovery check relies on it).
        for (var i = 0; i < paths.Count; i++)
        {
            var port = new UartPort(paths[i], _options.BaudRate);
            var index = i;
            port.Received += bytes => _inbox.Writer.TryWrite((index, bytes));
            port.Failed += message => { Log(message); failure.Cancel(); };
            port.Open();
            _ports.Add(port);
        }
        var firmware = new ChipFirmware(_options.Config, flash, this, _options.Operating, _options.Defects);
        if (_options.Defects != ChipDefect.None)
        {
            Log($"running with defect(s): {_options.Defects}");
        }
        if (_options.Defects.HasFlag(ChipDefect.DiesBootingAsleep) && firmware.Mode == HilRig.Protocol.Messages.ChipMode.Sleep)
        {
            Log($"dead: booted asleep and stopped ({nameof(ChipDefect.DiesBootingAsleep)})");
            return DeadExitCode;
        }
        var decoders = paths.Select(_ => new FrameDecoder()).ToArray();
        try
        {
            await RunLoopAsync(firmware, decoders, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (PowerCutException cut)
        {
            await DieOfPowerCutAsync(cut).ConfigureAwait(false);
            return PowerCutExitCode;
        }
        foreach (var port in _ports)
        {
            await port.DisposeAsync().ConfigureAwait(false);
        }
        return failure.IsCancellationRequested ? 1 : 0;
    }

    private async Task RunLoopAsync(ChipFirmware firmware, FrameDecoder[] decoders, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var deadline = firmware.NextDeadline;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (deadline is not null)
            {
                timeout.CancelAfter(Max(deadline.Value - DateTimeOffset.UtcNow, TimeSpan.Zero));
            }
            try
            {
                var (port, bytes) = await _inbox.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                foreach (var item in decoders[port].Feed(bytes))
                {
                    if (item is DecodedFrame frame)
                    {
                        if (_options.Defects.HasFlag(ChipDefect.SlowStatus) && frame.Frame.Type == MessageType.StatusRequest)
                        {
                            // DEFECT: slow-status. The chip gets to the request only after other work.
                            await Task.Delay(SlowStatusDelayMs, token).ConfigureAwait(false);
                        }
                        firmware.Receive(port, frame, DateTimeOffset.UtcNow);
                    }
                    else if (item is SkippedBytes skipped)
                    {
                        Log($"port {port}: skipped {skipped.Raw.Length} byte(s): {skipped.Reason}");
                        firmware.Reject(port, skipped.Raw);
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
            }
            firmware.Tick(DateTimeOffset.UtcNow);
        }
    }

    /// <summary>
    /// The torn state is on flash; the firmware stopped at the start of the operation, so everything in the
    /// UART queues was handed over before it. Bench assumption (docs/protocol.md §10.5): a real sector
    /// erase takes tens of milliseconds, long enough for the frames queued before it to leave, so they are
    /// out when the power fails mid-operation. The queues are drained at the line rate, nothing new is
    /// sent, and the process ends without closing anything gracefully (the caller exits at once).
    /// </summary>
    private async Task DieOfPowerCutAsync(PowerCutException cut)
    {
        var timeout = TimeSpan.FromMilliseconds(PowerCutDrainTimeoutMs);
        var drained = await Task.WhenAll(_ports.Select(port => port.DrainAsync(timeout))).ConfigureAwait(false);
        for (var i = 0; i < drained.Length; i++)
        {
            if (!drained[i])
            {
                Log($"{_ports[i].Path}: queued bytes not out within {PowerCutDrainTimeoutMs} ms of the power cut");
            }
        }
        Log($"power cut inside flash op #{cut.Operation.Number} ({cut.Operation.Describe()}), torn after {cut.TornAfterBytes} byte(s)");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <inheritdoc />
    public void Send(int port, byte[] bytes) => _ports[port].Send(bytes);

    /// <inheritdoc />
    public void Log(string message)
    {
        lock (_log)
        {
            _log.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {_options.Config.Name}: {message}");
            _log.Flush();
        }
    }
}
