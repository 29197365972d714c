namespace HilRig.Protocol.Messages;

/// <summary>
/// CONTROL (since 1.2, docs/protocol.md §5.12): the module hands the device's processor a vendor control command of the
/// device body. Three length-prefixed UTF-8 strings: command id (1..64 bytes), name (1..32), argument (0..128).
/// </summary>
public sealed record ControlPayload(string CommandId, string Name, string Argument)
{
    /// <summary>Longest command id in bytes.</summary>
    public const int MaxCommandIdBytes = 64;
    /// <summary>Longest command name in bytes.</summary>
    public const int MaxNameBytes = 32;
    /// <summary>Longest argument in bytes.</summary>
    public const int MaxArgumentBytes = 128;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => LengthPrefixed.Encode((CommandId, MaxCommandIdBytes), (Name, MaxNameBytes), (Argument, MaxArgumentBytes));

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static ControlPayload? TryDecode(ReadOnlySpan<byte> data, out string? error) =>
        LengthPrefixed.TryDecodeThree(data, "CONTROL", ("command id", 1, MaxCommandIdBytes), ("name", 1, MaxNameBytes), ("argument", 0, MaxArgumentBytes),
            (id, name, argument) => new ControlPayload(id, name, argument), out error);
}

/// <summary>
/// CONTROL_REPLY (since 1.2, §5.13): the processor's result of a CONTROL: command id (1..64 bytes), ok u8 (0 = failed,
/// any other value = ok), result (0..200 bytes UTF-8).
/// </summary>
public sealed record ControlReplyPayload(string CommandId, bool Ok, string Result)
{
    /// <summary>Longest result in bytes.</summary>
    public const int MaxResultBytes = 200;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var w = new PayloadWriter();
        LengthPrefixed.Write(w, CommandId, ControlPayload.MaxCommandIdBytes);
        w.U8(Ok ? (byte)1 : (byte)0);
        LengthPrefixed.Write(w, Result, MaxResultBytes);
        return w.ToArray();
    }

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static ControlReplyPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var id = LengthPrefixed.Read(ref r, "command id", 1, ControlPayload.MaxCommandIdBytes);
        var ok = r.U8("ok") != 0;
        var result = LengthPrefixed.Read(ref r, "result", 0, MaxResultBytes);
        r.End("CONTROL_REPLY");
        error = r.Error;
        return error is null ? new ControlReplyPayload(id, ok, result) : null;
    }
}

/// <summary>
/// BODY_STATUS (since 1.2, §5.14): the processor, unsolicited, tells the module the device body's state: power u8
/// (0 = off, other = on), operating u8 (0 = not operating, other = operating), mode name (0..32 bytes UTF-8).
/// </summary>
public sealed record BodyStatusPayload(bool PowerOn, bool Operating, string Mode)
{
    /// <summary>Longest mode name in bytes.</summary>
    public const int MaxModeBytes = 32;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        var w = new PayloadWriter().U8(PowerOn ? (byte)1 : (byte)0).U8(Operating ? (byte)1 : (byte)0);
        LengthPrefixed.Write(w, Mode, MaxModeBytes);
        return w.ToArray();
    }

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static BodyStatusPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var power = r.U8("power") != 0;
        var operating = r.U8("operating") != 0;
        var mode = LengthPrefixed.Read(ref r, "mode", 0, MaxModeBytes);
        r.End("BODY_STATUS");
        error = r.Error;
        return error is null ? new BodyStatusPayload(power, operating, mode) : null;
    }
}

/// <summary>What an OTA_NOTICE announces (§5.15).</summary>
public enum OtaNoticeKind : byte
{
    /// <summary>The module's own firmware: one image, model 0x01 (docs/cloud.md §2.2).</summary>
    Module = 0,
    /// <summary>A chip campaign: the notice id is the campaign id, one image per chip in the upgrade order.</summary>
    Chips = 1,
}

/// <summary>One image an OTA_NOTICE names: model id and version.</summary>
public readonly record struct NoticeImage(byte ModelId, FirmwareVersion Version);

/// <summary>
/// OTA_NOTICE (since 1.2, §5.15): the module relays an OTA instruction before carrying it out. notice id u32 (the
/// campaign id for a chip campaign), kind u8, count u8 (1..16), then per image model id u8 and version (4).
/// </summary>
public sealed record OtaNoticePayload(uint NoticeId, OtaNoticeKind Kind, IReadOnlyList<NoticeImage> Images)
{
    /// <summary>Most images one notice names.</summary>
    public const int MaxImages = 16;

    /// <summary>Wire bytes.</summary>
    public byte[] Encode()
    {
        if (Images.Count is < 1 or > MaxImages)
        {
            throw new ArgumentException($"an OTA_NOTICE names 1..{MaxImages} images, not {Images.Count}");
        }
        var w = new PayloadWriter().U32(NoticeId).U8((byte)Kind).U8((byte)Images.Count);
        foreach (var image in Images)
        {
            w.U8(image.ModelId).Version(image.Version);
        }
        return w.ToArray();
    }

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static OtaNoticePayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var id = r.U32("notice id");
        var kind = (OtaNoticeKind)r.U8("kind");
        var count = r.U8("count");
        if (r.Error is null && count is < 1 or > MaxImages)
        {
            r.Fail($"count {count} is outside 1..{MaxImages}");
        }
        var images = new List<NoticeImage>();
        for (var i = 0; i < count && r.Error is null; i++)
        {
            images.Add(new NoticeImage(r.U8($"image {i} model id"), r.Version($"image {i} version")));
        }
        r.End("OTA_NOTICE");
        error = r.Error;
        return error is null ? new OtaNoticePayload(id, kind, images) : null;
    }
}

/// <summary>The processor's answer to an OTA_NOTICE (§5.16).</summary>
public enum OtaAnswer : byte
{
    /// <summary>Go ahead: the module carries the upgrade out.</summary>
    Accept = 0,
    /// <summary>The device body is operating: the module holds the upgrade and asks again later.</summary>
    Busy = 1,
}

/// <summary>OTA_ANSWER (since 1.2, §5.16): notice id u32, answer u8 (an unknown value counts as BUSY).</summary>
public sealed record OtaAnswerPayload(uint NoticeId, OtaAnswer Answer)
{
    /// <summary>Wire bytes.</summary>
    public byte[] Encode() => new PayloadWriter().U32(NoticeId).U8((byte)Answer).ToArray();

    /// <summary>Decodes, or returns null with a reason.</summary>
    public static OtaAnswerPayload? TryDecode(ReadOnlySpan<byte> data, out string? error)
    {
        var r = new PayloadReader(data);
        var p = new OtaAnswerPayload(r.U32("notice id"), (OtaAnswer)r.U8("answer"));
        r.End("OTA_ANSWER");
        error = r.Error;
        return error is null ? p : null;
    }
}

/// <summary>Length-prefixed UTF-8 strings (u8 length, bytes) as PROVISION and the processor's messages carry them.</summary>
internal static class LengthPrefixed
{
    /// <summary>The wire bytes of a payload made of length-prefixed strings, each at most its maximum.</summary>
    public static byte[] Encode(params ReadOnlySpan<(string Text, int Max)> fields)
    {
        var w = new PayloadWriter();
        foreach (var (text, max) in fields) Write(w, text, max);
        return w.ToArray();
    }

    /// <summary>Decodes <paramref name="message"/>'s payload of exactly three length-prefixed strings, or returns null with a reason.</summary>
    public static T? TryDecodeThree<T>(ReadOnlySpan<byte> data, string message, (string Name, int Min, int Max) first, (string Name, int Min, int Max) second,
        (string Name, int Min, int Max) third, Func<string, string, string, T> create, out string? error) where T : class
    {
        var r = new PayloadReader(data);
        var a = Read(ref r, first.Name, first.Min, first.Max);
        var b = Read(ref r, second.Name, second.Min, second.Max);
        var c = Read(ref r, third.Name, third.Min, third.Max);
        r.End(message);
        error = r.Error;
        return error is null ? create(a, b, c) : null;
    }

    public static void Write(PayloadWriter w, string text, int max)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (bytes.Length > max)
        {
            throw new ArgumentException($"'{text}' is {bytes.Length} bytes; at most {max} fit");
        }
        w.U8((byte)bytes.Length).Bytes(bytes);
    }

    public static string Read(ref PayloadReader r, string field, int min, int max)
    {
        var length = r.U8($"{field} length");
        if (r.Error is null && (length < min || length > max))
        {
            r.Fail($"{field} length {length} is outside {min}..{max}");
            return "";
        }
        var bytes = r.Bytes(length, field);
        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            r.Fail($"{field} is not UTF-8");
            return "";
        }
    }
}
