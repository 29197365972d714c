using HilRig.Protocol.Framing;

namespace HilRig.Protocol.Tests.Support;

/// <summary>Frame comparisons (the record's payload is an array, so record equality compares references).</summary>
internal static class FrameAssert
{
    public static bool SameFrame(Frame a, Frame b) =>
        a.Type == b.Type && a.Destination == b.Destination && a.Source == b.Source
        && a.Sequence == b.Sequence && a.Payload.AsSpan().SequenceEqual(b.Payload);

    public static List<Frame> Frames(IEnumerable<DecodedItem> items) =>
        items.OfType<DecodedFrame>().Select(d => d.Frame).ToList();
}
