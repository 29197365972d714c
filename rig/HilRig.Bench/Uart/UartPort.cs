using System.Threading.Channels;
using HilRig.Serial;

namespace HilRig.Bench.Uart;

/// <summary>
/// One UART of an emulated node (<see cref="SerialLine"/>: a pty of the virtual bench, or a real port through
/// System.IO.Ports). Output is queued and paced at the line rate; input arrives through <see cref="Received"/>.
/// </summary>
public sealed class UartPort : IAsyncDisposable
{
    private readonly SerialLine _port;
    private readonly LinePacer _pacer;
    private readonly Channel<(byte[] Bytes, long QueuedAt)> _outgoing = Channel.CreateUnbounded<(byte[], long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task? _reader;
    private Task? _writer;

    /// <summary>Creates (does not open) a port.</summary>
    public UartPort(string path, int baudRate)
    {
        Path = path;
        _port = SerialLine.Create(path, baudRate);
        _pacer = new LinePacer(baudRate);
    }

    /// <summary>The device path.</summary>
    public string Path { get; }

    /// <summary>Called with each chunk of received bytes, on the reader task.</summary>
    public event Action<byte[]>? Received;

    /// <summary>Called when the port fails (the message names the port).</summary>
    public event Action<string>? Failed;

    /// <summary>Opens the port, drops anything queued while the node was off, and starts reading and writing.</summary>
    public void Open()
    {
        _port.Open();
        _reader = Task.Run(ReadLoopAsync);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues bytes; they leave at the line rate.</summary>
    public void Send(byte[] bytes) => _outgoing.Writer.TryWrite((bytes, System.Diagnostics.Stopwatch.GetTimestamp()));

    /// <summary>
    /// Stops taking bytes and waits until everything queued so far has been written to the port at the
    /// line rate, then asks the driver to drain its transmit buffer (a power cut lets the frames already
    /// on their way finish, see <see cref="Chip.ChipHost"/>). Returns false when
    /// <paramref name="timeout"/> passed first.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        _outgoing.Writer.TryComplete();
        if (_writer is null)
        {
            return true;
        }
        var deadline = Task.Delay(timeout);
        if (await Task.WhenAny(_writer, deadline).ConfigureAwait(false) != _writer)
        {
            return false;
        }
        // Flush may block in the driver (tcdrain on a line nobody reads), so it gets the same deadline.
        var flush = Task.Run(_port.Drain);
        var finished = await Task.WhenAny(flush, deadline).ConfigureAwait(false) == flush;
        return finished && flush.IsCompletedSuccessfully;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _port.Stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (n > 0)
                {
                    Received?.Invoke(buffer.AsSpan(0, n).ToArray());
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Failed?.Invoke($"{Path}: read failed: {ex.Message}");
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var (bytes, queuedAt) in _outgoing.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var sentAt = _pacer.Reserve(bytes.Length, queuedAt);
                await LinePacer.WaitUntilAsync(sentAt, _stop.Token).ConfigureAwait(false);
                await _port.Stream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Failed?.Invoke($"{Path}: write failed: {ex.Message}");
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _outgoing.Writer.TryComplete();
        _port.Dispose();
        foreach (var task in new[] { _reader, _writer })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        _stop.Dispose();
    }
}
