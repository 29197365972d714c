using System.IO.Ports;
using HilRig.Core.Links;
using HilRig.Core.Timeline;
using HilRig.Protocol.Framing;
using Xunit;

namespace HilRig.Core.Tests.Links;

/// <summary>A relay between two virtual wires: module port -> [wire] -> relay -> [wire] -> chip port.</summary>
public sealed class RelayLinkTests
{
    private static SerialPort Open(string path)
    {
        var port = new SerialPort(path, 115200, Parity.None, 8, StopBits.One);
        port.Open();
        return port;
    }

    private static async Task<byte[]> ReadExactlyAsync(SerialPort port, int count)
    {
        var buffer = new byte[count];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        await port.BaseStream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    [Fact]
    public async Task A_Chip_Answer_To_The_Rig_Is_Not_Kept_Behind_Held_Device_Frames()
    {
        using var moduleWire = new VirtualWire("module-side");
        using var chipWire = new VirtualWire("chip-side");
        using var timeline = new BenchTimeline(null);
        await using var relay = new RelayLink("module-chip1", moduleWire.FarPath, chipWire.NearPath, 115200, timeline);
        using var module = Open(moduleWire.NearPath);
        using var chip = Open(chipWire.FarPath);
        var toRig = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        relay.Observed += o =>
        {
            if (o.Item is DecodedFrame { Frame: { Destination: Address.Rig } f }) toRig.TrySetResult(f);
        };
        relay.Start();

        relay.Upstream.Hold();
        var forModule = new Frame(MessageType.DataAck, Address.Module, 0x11, 1, [1, 2, 3, 4]);
        var forRig = new Frame(MessageType.StatusResponse, Address.Rig, 0x11, 2, [9, 9]);
        chip.BaseStream.Write([.. forModule.Encode(), .. forRig.Encode()]);

        // The rig hears its answer while the frame before it is still held.
        var heard = await toRig.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(forRig.Payload, heard.Payload);
        Assert.Equal(0, module.BytesToRead);

        // Released, the held frame reaches the module whole and the rig's frame never does.
        relay.Upstream.Release();
        var expected = forModule.Encode();
        Assert.Equal(expected, await ReadExactlyAsync(module, expected.Length));
        var marker = new Frame(MessageType.DataAck, Address.Module, 0x11, 3, [7]);
        chip.BaseStream.Write(marker.Encode());
        Assert.Equal(marker.Encode(), await ReadExactlyAsync(module, marker.SizeBytes));
    }
}
