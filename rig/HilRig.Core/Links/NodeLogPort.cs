using System.Text;
using HilRig.Core.Timeline;

namespace HilRig.Core.Links;

/// <summary>
/// A board's debug UART, listen only: every text line it prints goes to the node's log file and to the timeline as the
/// node's log (the same records an emulated node's output makes), so the node logs, the picture's mode lanes and the
/// live page read a board as they read an emulated chip.
/// </summary>
public sealed class NodeLogPort : IAsyncDisposable
{
    private readonly RigPort _port;
    private readonly string _node;
    private readonly BenchTimeline _timeline;
    private readonly StreamWriter _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;

    /// <summary>Creates (does not open) the port.</summary>
    public NodeLogPort(string node, string devicePath, int baudRate, string logPath, BenchTimeline timeline)
    {
        _node = node;
        _timeline = timeline;
        _port = new RigPort(devicePath, baudRate);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    /// <summary>Opens the port and starts reading lines.</summary>
    public void Start()
    {
        _port.Open();
        _reading = Task.Run(ReadAsync);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1024];
        var line = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _port.Stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                foreach (var c in Encoding.UTF8.GetString(buffer, 0, n))
                {
                    if (c == '\n')
                    {
                        var text = line.ToString().TrimEnd('\r');
                        line.Clear();
                        lock (_log) _log.WriteLine(text);
                        _timeline.Add(_node, "log", text);
                    }
                    else if (!char.IsControl(c) || c == '\t')
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested) _timeline.Add(_node, "error", $"debug UART {_port.Path} stopped: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _port.Dispose();
        if (_reading is not null) await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_log) _log.Dispose();
        _stop.Dispose();
    }
}
