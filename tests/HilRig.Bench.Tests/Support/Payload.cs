
namespace HilRig.Bench.Tests.Support;

/// <summary>Decodes payloads of sent frames, failing the test with the codec's reason.</summary>
internal static class Payload
{
    public static StartAckPayload StartAck(SentFrame s) => Decode(s, MessageType.StartAck, StartAckPayload.TryDecode);
    public static StartPayload Start(SentFrame s) => Decode(s, MessageType.Start, StartPayload.TryDecode);
    public static DataAckPayload DataAck(SentFrame s) => Decode(s, MessageType.DataAck, DataAckPayload.TryDecode);
    public static CompletePayload Complete(SentFrame s) => Decode(s, MessageType.Complete, CompletePayload.TryDecode);
    public static PrepareAckPayload PrepareAck(SentFrame s) => Decode(s, MessageType.PrepareAck, PrepareAckPayload.TryDecode);
    public static PreparePayload Prepare(SentFrame s) => Decode(s, MessageType.Prepare, PreparePayload.TryDecode);
    public static StatusPayload Status(SentFrame s) => Decode(s, MessageType.StatusResponse, StatusPayload.TryDecode);

    private delegate T? Decoder<T>(ReadOnlySpan<byte> data, out string? error);

    private static T Decode<T>(SentFrame s, MessageType type, Decoder<T> decode)
        where T : class
    {
        Assert.Equal(type, s.Frame.Type);
        var payload = decode(s.Frame.Payload, out var error);
        Assert.True(payload is not null, $"{type} payload does not decode: {error}");
        return payload;
    }
}
