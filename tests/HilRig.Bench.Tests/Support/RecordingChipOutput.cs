using HilRig.Bench.Chip;
using HilRig.Bench.Flash;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Support;

/// <summary>A frame the chip sent, and the memory mark that was on flash at that moment.</summary>
internal sealed record SentFrame(int Port, Frame Frame, byte[] Raw, MemoryMarkRecord MarkOnFlash);

/// <summary>
/// In-memory <see cref="IChipOutput"/>: decodes every frame the chip sends and reads the memory mark
/// from flash at the moment of sending, so tests can check that the mark was written first.
/// </summary>
internal sealed class RecordingChipOutput(Func<NorFlash> flash, FlashLayout layout) : IChipOutput
{
    public List<SentFrame> Sent { get; } = new();

    public List<string> Logs { get; } = new();

    public void Send(int port, byte[] bytes)
    {
        var items = new FrameDecoder().Feed(bytes);
        if (items is not [DecodedFrame decoded])
        {
            throw new InvalidOperationException($"chip sent bytes that are not exactly one frame on port {port}");
        }
        Sent.Add(new SentFrame(port, decoded.Frame, bytes, new MemoryMarkStore(flash(), layout).Current));
    }

    public void Log(string message) => Logs.Add(message);

    public List<SentFrame> TakeAll()
    {
        var all = Sent.ToList();
        Sent.Clear();
        return all;
    }
}
