using System.Globalization;
using System.Text;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Modes;

/// <summary>
/// A chip's machine-readable log line (docs/protocol.md §11.2): what a chip in any language prints on its
/// debug output at boot and after every mark write, so the rig sees its mode without parsing prose.
/// <c>HRCHIP boot mode=UPGRADE slot=A version=1.0.0 state=RECEIVING campaign=0x00001001 persisted=4096 model=0x13 # free text</c>.
/// This type is the only reader of that line.
/// </summary>
/// <param name="Event"><see cref="Boot"/> or <see cref="Mark"/>.</param>
/// <param name="Mode">The mode the chip is in (the mark's, §6.1).</param>
/// <param name="Slot">The active image slot, 'A' or 'B'.</param>
/// <param name="Version">Version of the running image (0.0.0 when there is none).</param>
/// <param name="State">The mark's upgrade state.</param>
/// <param name="CampaignId">The mark's campaign.</param>
/// <param name="PersistedOffset">The mark's persisted offset.</param>
public sealed record ChipRecord(string Event, ChipMode Mode, char Slot, FirmwareVersion Version, UpgradeState State, uint CampaignId, uint PersistedOffset)
{
    /// <summary>The word that starts a record; anything before it on the line (a timestamp, a name) is not part of it.</summary>
    public const string Prefix = "HRCHIP";

    /// <summary>The event of the line a chip prints once it has read its mark at power-on (§6.6).</summary>
    public const string Boot = "boot";

    /// <summary>The event of the line a chip prints after each mark write (§9.2).</summary>
    public const string Mark = "mark";

    /// <summary>The fields every record carries.</summary>
    public static IReadOnlyList<string> RequiredFields { get; } = ["mode", "slot", "version", "state", "campaign", "persisted"];

    /// <summary>The chip's model id, when it says it (optional field <c>model</c>).</summary>
    public byte? ModelId { get; init; }

    /// <summary>The mark's image size, when given (optional field <c>size</c>).</summary>
    public uint? ImageSizeBytes { get; init; }

    /// <summary>The mark's sequence number, when given (optional field <c>seq</c>).</summary>
    public uint? Sequence { get; init; }

    /// <summary>The free text after " # ", if any (why the mark was written, a flash error).</summary>
    public string? Note { get; init; }

    /// <summary>The line a chip prints for this record.</summary>
    public string Format()
    {
        var text = new StringBuilder(FormattableString.Invariant(
            $"{Prefix} {Event} mode={ModeMachine.WireName(Mode)} slot={Slot} version={Version} state={StateName(State)} campaign=0x{CampaignId:X8} persisted={PersistedOffset}"));
        if (ModelId is { } model) text.Append(CultureInfo.InvariantCulture, $" model=0x{model:X2}");
        if (ImageSizeBytes is { } size) text.Append(CultureInfo.InvariantCulture, $" size={size}");
        if (Sequence is { } sequence) text.Append(CultureInfo.InvariantCulture, $" seq={sequence}");
        if (Note is { Length: > 0 } note) text.Append(" # ").Append(note);
        return text.ToString();
    }

    /// <summary>The wire name of an upgrade state: IDLE, RECEIVING, VERIFIED, DONE, FAILED.</summary>
    public static string StateName(UpgradeState state) => state.ToString().ToUpperInvariant();

    /// <summary>
    /// Reads a record out of a log line. False with a null <paramref name="error"/> when the line holds no
    /// record; false with one message naming the field and what was expected when it holds a bad one.
    /// </summary>
    public static bool TryParse(string line, out ChipRecord? record, out string? error)
    {
        record = null;
        error = null;
        var start = FindPrefix(line);
        if (start < 0) return false;
        var body = line[(start + Prefix.Length + 1)..];
        string? note = null;
        var hash = body.IndexOf(" # ", StringComparison.Ordinal);
        if (hash >= 0)
        {
            note = body[(hash + 3)..];
            body = body[..hash];
        }
        var words = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0] is not (Boot or Mark))
        {
            error = $"{Prefix} record: expected '{Boot}' or '{Mark}' after '{Prefix}', found '{(words.Length == 0 ? "" : words[0])}'";
            return false;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in words.Skip(1))
        {
            var equals = word.IndexOf('=');
            if (equals <= 0)
            {
                error = $"{Prefix} record: '{word}' is not key=value";
                return false;
            }
            fields[word[..equals]] = word[(equals + 1)..];
        }
        if (RequiredFields.FirstOrDefault(f => !fields.ContainsKey(f)) is { } missing)
        {
            error = $"{Prefix} record: field '{missing}' missing (required: {string.Join(", ", RequiredFields)})";
            return false;
        }
        if (ModeMachine.ParseName(fields["mode"]) is not { } mode) return Bad("mode", fields, "INITIAL, UPGRADE, PASS_THROUGH or SLEEP", out error);
        if (fields["slot"] is not ("A" or "B")) return Bad("slot", fields, "A or B", out error);
        if (!FirmwareVersion.TryParse(fields["version"], out var version)) return Bad("version", fields, "major.minor.patch", out error);
        if (!Enum.TryParse<UpgradeState>(fields["state"], ignoreCase: true, out var state) || !Enum.IsDefined(state) || char.IsDigit(fields["state"][0]))
        {
            return Bad("state", fields, "IDLE, RECEIVING, VERIFIED, DONE or FAILED", out error);
        }
        if (Hex32(fields["campaign"]) is not { } campaign) return Bad("campaign", fields, "0x and up to 8 hex digits", out error);
        if (!uint.TryParse(fields["persisted"], NumberStyles.None, CultureInfo.InvariantCulture, out var persisted)) return Bad("persisted", fields, "a decimal byte count", out error);
        byte? model = null;
        if (fields.TryGetValue("model", out var m))
        {
            if (Hex32(m) is not { } id || id > 0xFF) return Bad("model", fields, "0x and 2 hex digits", out error);
            model = (byte)id;
        }
        uint? size = null;
        if (fields.TryGetValue("size", out var s))
        {
            if (!uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)) return Bad("size", fields, "a decimal byte count", out error);
            size = bytes;
        }
        uint? sequence = null;
        if (fields.TryGetValue("seq", out var q))
        {
            if (!uint.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return Bad("seq", fields, "a decimal number", out error);
            sequence = number;
        }
        record = new ChipRecord(words[0], mode, fields["slot"][0], version, state, campaign, persisted)
        {
            ModelId = model, ImageSizeBytes = size, Sequence = sequence, Note = note,
        };
        return true;
    }

    private static int FindPrefix(string line)
    {
        // The prefix is a word of its own: at the start or after a space, followed by a space.
        for (var at = line.IndexOf(Prefix, StringComparison.Ordinal); at >= 0; at = line.IndexOf(Prefix, at + 1, StringComparison.Ordinal))
        {
            var end = at + Prefix.Length;
            if ((at == 0 || line[at - 1] == ' ') && end < line.Length && line[end] == ' ') return at;
        }
        return -1;
    }

    private static uint? Hex32(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal) && text.Length is > 2 and <= 10
            && uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static bool Bad(string field, Dictionary<string, string> fields, string expected, out string? error)
    {
        error = $"{Prefix} record: field '{field}' is '{fields[field]}', expected {expected}";
        return false;
    }
}
