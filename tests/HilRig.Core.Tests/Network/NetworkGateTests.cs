using Xunit;
using System.Net;
using System.Net.Sockets;
using HilRig.Core.Network;
using HilRig.Core.Timeline;

namespace HilRig.Core.Tests.Network;

public sealed class NetworkGateTests : IAsyncDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly BenchTimeline _timeline = new(null);
    private readonly NetworkGate _gate;

    public NetworkGateTests()
    {
        _server.Start();
        _gate = new NetworkGate("net:test", (IPEndPoint)_server.LocalEndpoint, _timeline);
        _gate.Start();
    }

    private async Task<(NetworkStream Device, NetworkStream Server, TcpClient DeviceClient, TcpClient ServerClient)> ConnectAsync(CancellationToken token)
    {
        var device = new TcpClient();
        await device.ConnectAsync(IPAddress.Loopback, _gate.Port, token);
        var server = await _server.AcceptTcpClientAsync(token);
        return (device.GetStream(), server.GetStream(), device, server);
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, CancellationToken token)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, token).AsTask().WaitAsync(TimeSpan.FromSeconds(5), token);
        return buffer;
    }

    [Fact]
    public async Task Bytes_pass_both_ways_and_are_counted()
    {
        var token = TestContext.Current.CancellationToken;
        var (device, server, d, s) = await ConnectAsync(token);
        using (d)
        using (s)
        {
            // The gate counts bytes before it writes them, so once a side has read them the counter holds them: no wait
            // is needed, and a hundred round trips give a counter bumped late (after the write) every chance to show.
            for (var round = 1; round <= 100; round++)
            {
                await device.WriteAsync("hello"u8.ToArray(), token);
                Assert.Equal("hello"u8.ToArray(), await ReadExactlyAsync(server, 5, token));
                Assert.Equal(5 * round, _gate.BytesToServer);
                await server.WriteAsync("firmware"u8.ToArray(), token);
                Assert.Equal("firmware"u8.ToArray(), await ReadExactlyAsync(device, 8, token));
                Assert.Equal(8 * round, _gate.BytesToDevice);
            }
        }
    }

    [Fact]
    public async Task Down_cuts_open_connections_and_resets_new_ones_until_up()
    {
        var token = TestContext.Current.CancellationToken;
        var (device, _, d, s) = await ConnectAsync(token);
        using (d)
        using (s)
        {
            _gate.Down("test");
            var buffer = new byte[1];
            var read = await ReadOrFailAsync(device, buffer, token);
            Assert.True(read <= 0, "the device's connection should end when the network goes down");
        }

        using (var refused = new TcpClient())
        {
            int read;
            try
            {
                await refused.ConnectAsync(IPAddress.Loopback, _gate.Port, token);
                read = await ReadOrFailAsync(refused.GetStream(), new byte[1], token);
            }
            catch (SocketException)
            {
                read = -1; // reset before the handshake finished on this side
            }
            Assert.True(read <= 0, "a connection made while down should be reset");
        }

        _gate.Up();
        var (device2, server2, d2, s2) = await ConnectAsync(token);
        using (d2)
        using (s2)
        {
            await server2.WriteAsync(new byte[] { 42 }, token);
            Assert.Equal([42], await ReadExactlyAsync(device2, 1, token));
        }
        Assert.Contains(_timeline.Snapshot(), e => e.Kind == "network-down");
        Assert.Contains(_timeline.Snapshot(), e => e.Kind == "network-up");
    }

    [Fact]
    public async Task A_watcher_can_cut_the_network_at_an_exact_byte_count_towards_the_device()
    {
        var token = TestContext.Current.CancellationToken;
        _gate.ForwardingToDevice += (gate, forwarded, _) =>
        {
            if (forwarded >= 3)
            {
                gate.Down("after 3 bytes");
            }
        };
        var (device, server, d, s) = await ConnectAsync(token);
        using (d)
        using (s)
        {
            await server.WriteAsync(new byte[] { 1, 2, 3 }, token);
            Assert.Equal([1, 2, 3], await ReadExactlyAsync(device, 3, token));
            await server.WriteAsync(new byte[] { 4, 5 }, token);
            Assert.True(await ReadOrFailAsync(device, new byte[2], token) <= 0, "no byte after the third should reach the device");
        }
        Assert.Equal(3, _gate.BytesToDevice);
    }

    [Fact]
    public void A_gate_refuses_a_server_that_is_not_on_loopback()
    {
        var ex = Assert.Throws<ArgumentException>(() => new NetworkGate("net:bad", new IPEndPoint(IPAddress.Parse("10.0.0.1"), 80), _timeline));
        Assert.Contains("not a loopback address", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<int> ReadOrFailAsync(NetworkStream stream, byte[] buffer, CancellationToken token)
    {
        try
        {
            return await stream.ReadAsync(buffer, token).AsTask().WaitAsync(TimeSpan.FromSeconds(5), token);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.DisposeAsync();
        _server.Stop();
        _timeline.Dispose();
    }
}
