using HilRig.Core.Links;
using HilRig.Serial;
using Xunit;

namespace HilRig.Core.Tests.Links;

/// <summary>The virtual bench's UART ends: a pty slave opened as a <see cref="PtyStream"/>, over a <see cref="VirtualWire"/>.</summary>
public sealed class PtyStreamTests
{
    [Fact]
    public void A_pty_path_opens_as_a_pty_line_and_anything_else_through_System_IO_Ports()
    {
        using var wire = new VirtualWire("t");
        Assert.True(SerialLine.IsPseudoTerminal(wire.NearPath));
        Assert.False(SerialLine.IsPseudoTerminal("/dev/ttyUSB0"));
        using var line = SerialLine.Create(wire.NearPath, 115200);
        line.Open();
        Assert.IsType<PtyStream>(line.Stream);
    }

    [Fact]
    public async Task Bytes_cross_the_wire_both_ways_unchanged_in_raw_mode()
    {
        using var wire = new VirtualWire("t");
        await using var near = PtyStream.Open(wire.NearPath);
        await using var far = PtyStream.Open(wire.FarPath);
        // Every byte value, CR, LF, ^C and ^D included: a cooked tty would translate or swallow some.
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        near.Write(all);
        Assert.Equal(all, await LineReads.ReadExactlyAsync(far, all.Length));
        far.Write(all.Reverse().ToArray());
        Assert.Equal(all.Reverse().ToArray(), await LineReads.ReadExactlyAsync(near, all.Length));
    }

    [Fact]
    public async Task A_read_waiting_on_a_quiet_line_ends_when_the_stream_is_closed()
    {
        using var wire = new VirtualWire("t");
        var near = PtyStream.Open(wire.NearPath);
        var read = near.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        await near.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => near.Write([1]));
    }

    [Fact]
    public void Opening_a_path_that_is_not_a_pty_names_the_path()
    {
        var ex = Assert.Throws<IOException>(() => PtyStream.Open("/dev/pts/999999"));
        Assert.Contains("/dev/pts/999999", ex.Message, StringComparison.Ordinal);
    }
}
