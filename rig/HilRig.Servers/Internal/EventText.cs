using System.Text;

namespace HilRig.Servers.Internal;

/// <summary>How payloads and values appear in the one-line events of <see cref="ServerEventSink"/>.</summary>
internal static class EventText
{
    /// <summary>Payload bytes shown before a line is cut; a timeline line must stay one readable line.</summary>
    public const int PayloadShownBytes = 160;

    /// <summary>The payload as text, control characters as '.', cut after <see cref="PayloadShownBytes"/> with its full size.</summary>
    public static string Payload(ReadOnlySpan<byte> payload)
    {
        var shown = payload[..Math.Min(payload.Length, PayloadShownBytes)];
        var text = new StringBuilder(Encoding.UTF8.GetString(shown));
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]))
            {
                text[i] = '.';
            }
        }
        return payload.Length > shown.Length ? $"{text}… ({payload.Length} bytes)" : text.ToString();
    }
}
