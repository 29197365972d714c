using HilRig.Core.Links;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Tests.Faults;

/// <summary>Observations as a relay link reports them, built from the protocol's own payloads (no wire needed).</summary>
internal static class LinkTraffic
{
    public const byte Chip = 0x13;
    public const byte OtherChip = 0x12;

    public static LinkObservation Seen(Direction direction, MessageType type, byte destination, byte source, byte[] payload)
    {
        var frame = new Frame(type, destination, source, 1, payload);
        return new LinkObservation("chip2", direction, new DecodedFrame(frame, frame.Encode()), 0);
    }

    /// <summary>The START making <paramref name="target"/> the target of an image whose whole file is 64 + <paramref name="bodyBytes"/> bytes.</summary>
    public static LinkObservation Start(byte target, uint bodyBytes)
    {
        var header = new ImageHeader(target, new FirmwareVersion(1, 2, 3), bodyBytes, new byte[32], Signed: false);
        return Seen(Direction.Downstream, MessageType.Start, Address.Broadcast, Address.Module, new StartPayload(7, target, header.Encode()).Encode());
    }

    public static LinkObservation StartAck(byte chip, ChipMode mode, uint resume = 0) =>
        Seen(Direction.Upstream, MessageType.StartAck, Address.Module, chip, new StartAckPayload(7, chip, mode, resume, StartStatus.Ok).Encode());

    public static LinkObservation Data(byte chip, uint offset, int length) =>
        Seen(Direction.Downstream, MessageType.Data, chip, Address.Module, new DataPayload(offset, new byte[length]).Encode());

    public static LinkObservation DataAck(byte chip, uint persisted) =>
        Seen(Direction.Upstream, MessageType.DataAck, Address.Module, chip, new DataAckPayload(persisted, persisted, DataStatus.Ok).Encode());

    public static LinkObservation Garbage() => new("chip2", Direction.Upstream, new SkippedBytes([1, 2, 3], "noise between frames"), 0);
}
