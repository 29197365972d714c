using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using HilRig.Core.Timeline;
using HilRig.Protocol.Control;

namespace HilRig.Core.Servers;

/// <summary>
/// The server side of the comm module's control channel, on loopback port 0: it hands the module its
/// campaigns and collects the events the module reports (the stand-in for the target OTA server's device
/// channel). A module that reboots reconnects; the newest connection is the one used. It also listens on a Unix
/// socket (<see cref="SocketPath"/>): a module inside the network double's namespace cannot reach the rig's loopback,
/// but the file system is shared, and the bench extension's channel is no part of the device's network.
/// </summary>
public sealed class ModuleControlServer : IModuleChannel, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Socket _unix = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private static int _sockets;
    private readonly BenchTimeline _timeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ModuleEvent> _events = Channel.CreateUnbounded<ModuleEvent>();
    private readonly List<ModuleEvent> _history = new();
    private TaskCompletionSource<StreamWriter> _connection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _acceptLoop;

    /// <summary>Creates the server; call <see cref="Start"/>.</summary>
    public ModuleControlServer(BenchTimeline timeline) => _timeline = timeline;

    /// <summary>The loopback port the module connects to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The Unix socket the module connects to from another network namespace (a short path under the temp directory).</summary>
    public string SocketPath { get; } = Path.Combine(Path.GetTempPath(),
        $"hilrig-control-{Environment.ProcessId}-{Interlocked.Increment(ref _sockets)}.sock");

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        _listener.Start();
        File.Delete(SocketPath);
        _unix.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _unix.Listen(4);
        _acceptLoop = Task.WhenAll(Task.Run(AcceptLoopAsync), Task.Run(AcceptUnixLoopAsync));
    }

    /// <summary>Every event the module reported so far.</summary>
    public IReadOnlyList<ModuleEvent> History
    {
        get { lock (_history) return _history.ToList(); }
    }

    /// <summary>Sends a campaign to the module, waiting for it to be connected.</summary>
    public async Task SendCampaignAsync(CampaignRequest campaign, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var writer = await _connection.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        var line = JsonSerializer.Serialize(campaign, ControlJson.Options);
        await writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        _timeline.Add("server", "campaign", $"campaign {campaign.CampaignId} order [{string.Join(", ", campaign.Order.Select(c => $"0x{c:X2}"))}]");
    }

    /// <summary>Waits for the next event matching <paramref name="match"/>; throws <see cref="TimeoutException"/> naming what was awaited.</summary>
    public async Task<ModuleEvent> WaitForEventAsync(Func<ModuleEvent, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                if (match(e))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var last = History.LastOrDefault();
            throw new TimeoutException($"no module event '{description}' within {timeout.TotalSeconds:0.#} s (last event: {(last is null ? "none" : Describe(last))})");
        }
    }

    /// <summary>True for the events that end a chain campaign (completed, failed, or refused before it started).</summary>
    public static bool IsCampaignEnd(ModuleEvent e) =>
        e.Event is "campaign-complete" or "campaign-failed" or "prepare-refused" or "order-refused" or "campaign-refused";

    /// <summary>A one-line description of an event.</summary>
    public static string Describe(ModuleEvent e) =>
        $"{e.Event}{(e.Chip is { } c ? $" chip 0x{c:X2}" : "")}{(e.Detail is null ? "" : $": {e.Detail}")}";

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeAsync(client.GetStream(), client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task AcceptUnixLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _unix.AcceptAsync(_stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeAsync(new NetworkStream(client, ownsSocket: true), client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when ((ex is SocketException or ObjectDisposedException) && _stop.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(Stream stream, IDisposable client)
    {
        using var _ = client;
        await using var __ = stream;
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        var reader = new StreamReader(stream, Encoding.UTF8);
        if (!_connection.TrySetResult(writer))
        {
            _connection = new TaskCompletionSource<StreamWriter>(TaskCreationOptions.RunContinuationsAsynchronously);
            _connection.TrySetResult(writer);
        }
        _timeline.Add("server", "connect", "module connected to the control channel");
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false);
                if (line is null) break;
                ModuleEvent? e;
                try
                {
                    e = JsonSerializer.Deserialize<ModuleEvent>(line, ControlJson.Options);
                }
                catch (JsonException ex)
                {
                    _timeline.Add("server", "error", $"unreadable line from module: {ex.Message}");
                    continue;
                }
                if (e is null) continue;
                lock (_history) _history.Add(e);
                _timeline.AddModuleEvent("module", e, Describe(e));
                _events.Writer.TryWrite(e);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _unix.Dispose();
        File.Delete(SocketPath);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }
}
