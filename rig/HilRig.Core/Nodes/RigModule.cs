using System.Text;
using HilRig.Bench.Module;
using HilRig.Core.Power;
using HilRig.Core.Timeline;

namespace HilRig.Core.Nodes;

/// <summary>
/// The rig playing the comm module (<c>module: { kind: rig }</c> on a hardware bench with no module wired): the
/// reference module's chain side (<see cref="ModuleHost"/>, docs/protocol.md §7) runs inside the rig, on one end of
/// an in-process wire whose other end is the first relay link, and takes campaigns from the rig's control channel as
/// the emulated module does. Switching it off stops it (what it keeps in its state file stays, as on the module's
/// flash), switching it on starts it again and it resumes its campaign.
/// </summary>
public sealed class RigModule(string uartPath, int baudRate, string statePath, int controlPort, string logPath, BenchTimeline timeline)
    : IPowerSwitch, IAsyncDisposable
{
    private readonly SemaphoreSlim _switching = new(1, 1);
    private CancellationTokenSource? _power;
    private Task? _running;

    /// <inheritdoc />
    public string Node => Wiring.ModuleWiring.Name;

    /// <inheritdoc />
    public bool IsOn => _power is not null;

    /// <summary>Raised just before the module starts (each power-on).</summary>
    public event Action? PoweringOn;

    /// <inheritdoc />
    public async Task OnAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_power is not null) return;
            timeline.Add(Node, "power", "on");
            PoweringOn?.Invoke();
            _power = new CancellationTokenSource();
            var log = new TimelineLogWriter(Node, logPath, timeline);
            var host = new ModuleHost(new ModuleHostOptions(uartPath, baudRate, statePath, controlPort), log);
            var token = _power.Token;
            _running = Task.Run(async () =>
            {
                try
                {
                    await host.RunAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    timeline.Add(Node, "error", $"the rig's module stopped: {ex.Message}");
                }
                finally
                {
                    await log.DisposeAsync().ConfigureAwait(false);
                }
            }, CancellationToken.None);
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <inheritdoc />
    public async Task OffAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_power is not { } power) return;
            await power.CancelAsync().ConfigureAwait(false);
            if (_running is { } running) await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            power.Dispose();
            _power = null;
            _running = null;
            timeline.Add(Node, "power", "off");
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await OffAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>The module's log lines, to its log file and to the timeline as the node's log, like a node process's output.</summary>
    private sealed class TimelineLogWriter : TextWriter
    {
        private readonly string _node;
        private readonly StreamWriter _file;
        private readonly BenchTimeline _timeline;
        private readonly StringBuilder _line = new();

        public TimelineLogWriter(string node, string path, BenchTimeline timeline)
        {
            _node = node;
            _timeline = timeline;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _file = new StreamWriter(path, append: true) { AutoFlush = true };
        }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                var line = _line.ToString().TrimEnd('\r');
                _line.Clear();
                _file.WriteLine(line);
                _timeline.Add(_node, "log", line);
            }
            else
            {
                _line.Append(value);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _file.Dispose();
            base.Dispose(disposing);
        }
    }
}
