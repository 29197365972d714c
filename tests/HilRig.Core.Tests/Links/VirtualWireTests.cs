using Xunit;
using System.IO.Ports;
using HilRig.Core.Links;

namespace HilRig.Core.Tests.Links;

public sealed class VirtualWireTests
{
    private static SerialPort Open(string path)
    {
        var port = new SerialPort(path, 115200, Parity.None, 8, StopBits.One) { ReadTimeout = 5000 };
        port.Open();
        return port;
    }

    private static async Task<byte[]> ReadExactlyAsync(SerialPort port, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await port.BaseStream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    [Fact]
    public async Task Bytes_Cross_BothWays_Unchanged_Including_ControlCharacters()
    {
        using var wire = new VirtualWire("test");
        using var near = Open(wire.NearPath);
        using var far = Open(wire.FarPath);
        // Every byte value, including CR, LF, ^C, ^D and XON/XOFF, must pass untouched (raw mode).
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        near.BaseStream.Write(all);
        Assert.Equal(all, await ReadExactlyAsync(far, all.Length));
        far.BaseStream.Write(all.Reverse().ToArray());
        Assert.Equal(all.Reverse().ToArray(), await ReadExactlyAsync(near, all.Length));
    }

    [Fact]
    public async Task Tap_Sees_Traffic_With_Its_Direction()
    {
        using var wire = new VirtualWire("tap");
        var seen = new TaskCompletionSource<(Direction, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        wire.Tapped += (d, b) => seen.TrySetResult((d, b));
        using var near = Open(wire.NearPath);
        using var far = Open(wire.FarPath);
        far.BaseStream.Write([1, 2, 3]);
        var (direction, bytes) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(Direction.Upstream, direction);
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes);
    }

    [Fact]
    public async Task Bytes_For_An_End_Nobody_Reads_Are_Dropped_Without_Blocking_The_Other_Way()
    {
        using var wire = new VirtualWire("dead-end");
        using var near = Open(wire.NearPath);
        // Nothing opens the far end: like a powered-off chip. Far more than a pty buffer is sent.
        near.BaseStream.Write(new byte[256 * 1024]);
        using var far = Open(wire.FarPath);
        far.BaseStream.Write([0x42]);
        Assert.Equal(new byte[] { 0x42 }, await ReadExactlyAsync(near, 1));
    }
}
