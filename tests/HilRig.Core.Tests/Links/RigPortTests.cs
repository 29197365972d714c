using System.IO.Ports;
using HilRig.Core.Links;
using Xunit;

namespace HilRig.Core.Tests.Links;

/// <summary>A UART the rig owns: opened and held by System.IO.Ports, its bytes on a poll(2) descriptor.</summary>
public sealed class RigPortTests
{
    [Fact]
    public async Task Bytes_cross_between_a_rig_port_and_a_serial_port_at_the_other_end_both_ways()
    {
        using var wire = new VirtualWire("t");
        using var rig = new RigPort(wire.NearPath, 115200);
        rig.Open();
        using var node = new SerialPort(wire.FarPath, 115200, Parity.None, 8, StopBits.One);
        node.Open();
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        rig.Stream.Write(all);
        Assert.Equal(all, await LineReads.ReadExactlyAsync(node.BaseStream, all.Length));
        node.BaseStream.Write(all.Reverse().ToArray());
        Assert.Equal(all.Reverse().ToArray(), await LineReads.ReadExactlyAsync(rig.Stream, all.Length));
    }

    [Fact]
    public void A_port_that_cannot_be_opened_is_named_and_its_stream_stays_closed()
    {
        using var port = new RigPort("/dev/pts/999999", 115200);

        var ex = Assert.Throws<IOException>(port.Open);

        Assert.Contains("/dev/pts/999999", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => port.Stream);
    }

    [Fact]
    public async Task A_read_waiting_on_the_port_ends_when_the_port_is_closed()
    {
        using var wire = new VirtualWire("t");
        var rig = new RigPort(wire.NearPath, 115200);
        rig.Open();
        var read = rig.Stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        rig.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }
}
