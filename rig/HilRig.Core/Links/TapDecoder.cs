using HilRig.Core.Timeline;
using HilRig.Protocol.Framing;

namespace HilRig.Core.Links;

/// <summary>Listen-only decoding of a wire the rig taps (rig: tap): frames go to the timeline, nothing is changed.</summary>
public static class TapDecoder
{
    /// <summary>Decodes both directions of <paramref name="wire"/> into <paramref name="timeline"/>.</summary>
    public static void Attach(VirtualWire wire, string name, BenchTimeline timeline)
    {
        var decoders = new Dictionary<Direction, FrameDecoder> { [Direction.Downstream] = new(), [Direction.Upstream] = new() };
        wire.Tapped += (direction, bytes) =>
        {
            lock (decoders)
            {
                foreach (var item in decoders[direction].Feed(bytes))
                {
                    var dir = direction.ToString().ToLowerInvariant();
                    if (item is DecodedFrame f)
                    {
                        timeline.AddFrame(name, TimelineKind.Frame, f.Frame, FrameSummary.Describe(f.Frame), dir);
                    }
                    else
                    {
                        timeline.Add(name, TimelineKind.Garbage, $"{item.Raw.Length} byte(s) not a valid frame", dir);
                    }
                }
            }
        };
    }
}
