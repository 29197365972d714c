using System.Threading.Channels;
using HilRig.Bench.Flash;
using HilRig.Bench.Uart;
using HilRig.Protocol.Framing;

namespace HilRig.Bench.Chip;

/// <summary>Options of an emulated chip process (`hilrig bench chip`).</summary>
public sealed record ChipHostOptions(
    ChipConfig Config, string UpstreamPath, IReadOnlyList<string> DownstreamPaths, string FlashPath,
    int BaudRate, string? FactoryImagePath, bool Operating, ChipDefect Defects = ChipDefect.None);

/// <summary>
/// Runs <see cref="ChipFirmware"/> on real ports: one reader per UART feeds a single event loop, so the
/// firmware sees one frame at a time like a main loop on an MCU. Killing the process is a power cut.
/// </summary>
public sealed class ChipHost : IChipOutput
{
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
        var firmware = new ChipFirmware(_options.Config, flash, this, _options.Operating, _options.Defects);
        if (_options.Defects != ChipDefect.None)
        {
            Log($"running with defect(s): {_options.Defects}");
        }
        var failure = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, failure.Token);
        var paths = new[] { _options.UpstreamPath }.Concat(_options.DownstreamPaths).ToList();
        for (var i = 0; i < paths.Count; i++)
        {
            var port = new UartPort(paths[i], _options.BaudRate);
            var index = i;
            port.Received += bytes => _inbox.Writer.TryWrite((index, bytes));
            port.Failed += message => { Log(message); failure.Cancel(); };
            port.Open();
            _ports.Add(port);
        }
        var decoders = paths.Select(_ => new FrameDecoder()).ToArray();
        try
        {
            await RunLoopAsync(firmware, decoders, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
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
                        firmware.Receive(port, frame, DateTimeOffset.UtcNow);
                    }
                    else if (item is SkippedBytes skipped)
                    {
                        Log($"port {port}: skipped {skipped.Raw.Length} byte(s): {skipped.Reason}");
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
            }
            firmware.Tick(DateTimeOffset.UtcNow);
        }
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
