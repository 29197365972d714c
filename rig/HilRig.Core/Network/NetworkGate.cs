using System.Net;
using System.Net.Sockets;
using HilRig.Core.Timeline;

namespace HilRig.Core.Network;

/// <summary>
/// The device's network path to one server endpoint: a loopback TCP forwarder the module connects to
/// instead of the server itself. The rig can take it down (every connection is cut and new ones are
/// reset until it comes back up), limit its throughput like a WiFi link, and watch the bytes that flow
/// from the server to the device.
/// </summary>
public sealed class NetworkGate : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _server;
    private readonly BenchTimeline _timeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Device, TcpClient Server)> _connections = new();
    private readonly object _lock = new();
    private Task? _acceptLoop;
    private bool _down;
    private long _bytesToDevice;
    private long _bytesToServer;

    /// <summary>Creates a gate named <paramref name="name"/> in front of <paramref name="server"/>.</summary>
    /// <param name="name">Timeline name, e.g. "net:target-http".</param>
    /// <param name="server">The server endpoint (loopback).</param>
    /// <param name="timeline">Where connections, cuts and restorations are recorded.</param>
    /// <param name="bytesPerSecond">Throughput of the emulated WiFi link per direction; null for no limit.</param>
    /// <param name="listen">Where the device connects: the rig's address on the bench network (and a fixed port when the
    /// firmware has one); null: loopback, a port the OS picks.</param>
    public NetworkGate(string name, IPEndPoint server, BenchTimeline timeline, long? bytesPerSecond = null, IPEndPoint? listen = null)
    {
        _listener = new TcpListener(listen ?? new IPEndPoint(IPAddress.Loopback, 0));
        if (!IPAddress.IsLoopback(server.Address))
        {
            throw new ArgumentException($"network gate {name}: {server} is not a loopback address; the rig reaches loopback only");
        }
        Name = name;
        _server = server;
        _timeline = timeline;
        BytesPerSecond = bytesPerSecond;
    }

    /// <summary>The gate's name.</summary>
    public string Name { get; }

    /// <summary>Throughput per direction (null: unlimited); a change applies to the connections made after it.</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>The port the device connects to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>True while the gate is down.</summary>
    public bool IsDown { get { lock (_lock) return _down; } }

    /// <summary>Bytes forwarded from the server to the device since the gate opened (counted before they are written, so a device that got them sees them counted).</summary>
    public long BytesToDevice => Interlocked.Read(ref _bytesToDevice);

    /// <summary>Bytes forwarded from the device to the server since the gate opened (counted before they are written).</summary>
    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>
    /// Called before each chunk from the server is forwarded, with the total forwarded so far and the
    /// chunk's size; a fault trigger uses it to act at an exact byte count (it may take the gate down,
    /// and then the chunk is not forwarded).
    /// </summary>
    public event Action<NetworkGate, long, int>? ForwardingToDevice;

    /// <summary>Raised on the accept loop for every connection reset because the gate is down.</summary>
    public event Action<NetworkGate>? Refused;

    /// <summary>Starts accepting.</summary>
    public void Start()
    {
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Takes the network down: cuts every connection; new ones are reset until <see cref="Up"/>.</summary>
    public void Down(string reason)
    {
        List<(TcpClient, TcpClient)> cut;
        lock (_lock)
        {
            if (_down)
            {
                return;
            }
            _down = true;
            cut = _connections.ToList();
            _connections.Clear();
        }
        foreach (var (device, server) in cut)
        {
            Reset(device);
            server.Dispose();
        }
        _timeline.Add(Name, "network-down", $"{Name} down ({reason}): {cut.Count} connection(s) cut");
    }

    /// <summary>Brings the network back.</summary>
    public void Up()
    {
        lock (_lock)
        {
            if (!_down)
            {
                return;
            }
            _down = false;
        }
        _timeline.Add(Name, "network-up", $"{Name} up");
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var device = await _listener.AcceptTcpClientAsync(token).ConfigureAwait(false);
                if (IsDown)
                {
                    Reset(device);
                    Refused?.Invoke(this);
                    continue;
                }
                _ = Task.Run(() => ServeAsync(device, token), token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient device, CancellationToken token)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_server, token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            _timeline.Add(Name, "network", $"{Name}: the server at {_server} refused the connection ({ex.SocketErrorCode})");
            Reset(device);
            server.Dispose();
            return;
        }
        lock (_lock)
        {
            if (_down)
            {
                Reset(device);
                server.Dispose();
                return;
            }
            _connections.Add((device, server));
        }
        device.NoDelay = true;
        server.NoDelay = true;
        var up = PumpAsync(device.GetStream(), server.GetStream(), toDevice: false, token);
        var down = PumpAsync(server.GetStream(), device.GetStream(), toDevice: true, token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        lock (_lock)
        {
            _connections.Remove((device, server));
        }
        device.Dispose();
        server.Dispose();
        await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool toDevice, CancellationToken token)
    {
        var buffer = new byte[BytesPerSecond is { } rate ? (int)Math.Clamp(rate / 50, 256, 16384) : 16384];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }
                if (toDevice)
                {
                    ForwardingToDevice?.Invoke(this, BytesToDevice, read);
                    if (IsDown)
                    {
                        return;
                    }
                }
                if (BytesPerSecond is { } bps)
                {
                    // Absolute schedule: the chunk leaves when the link would have carried the bytes before it.
                    var due = TimeSpan.FromSeconds((double)sent / bps) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, token).ConfigureAwait(false);
                    }
                }
                // Counted before the write: whoever receives the bytes must find them counted already (counting after
                // the write let a reader see the bytes while the counter still lagged). A failed write takes them back.
                ref var counter = ref toDevice ? ref _bytesToDevice : ref _bytesToServer;
                Interlocked.Add(ref counter, read);
                try
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                }
                catch
                {
                    Interlocked.Add(ref toDevice ? ref _bytesToDevice : ref _bytesToServer, -read);
                    throw;
                }
                sent += read;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
    }

    private static void Reset(TcpClient client)
    {
        // The connection may be ending on its own at the same moment (its pump disposes it): then there is
        // no socket left to reset, and that is fine.
        try
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        client.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        List<(TcpClient, TcpClient)> open;
        lock (_lock)
        {
            open = _connections.ToList();
            _connections.Clear();
        }
        foreach (var (device, server) in open)
        {
            device.Dispose();
            server.Dispose();
        }
        _stop.Dispose();
    }
}
