using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Timeline;

/// <summary>
/// Reads the fields the picture needs back out of one-line summaries (Links/FrameSummary.cs, module
/// control events, chip log lines). Anything that does not match is simply not evidence.
/// </summary>
internal static partial class TimelineSvgSummary
{
    /// <summary>The message type a frame summary starts with ("StartAck").</summary>
    public static string FrameType(string summary)
    {
        var space = summary.IndexOf(' ');
        return space < 0 ? summary : summary[..space];
    }

    /// <summary>Whether a text starts like a frame summary ("Data module->0x13 seq=9 ...").</summary>
    public static bool IsFrameSummary(string text) => FramePrefixPattern().IsMatch(text);

    /// <summary>Model id of the frame's sender, from "Type 0x13->module ...".</summary>
    public static byte? SenderModelId(string summary) => Hex(SenderPattern().Match(summary));

    /// <summary>Model id of the frame's addressee, from "Type module->0x13 ...".</summary>
    public static byte? AddresseeModelId(string summary) => Hex(AddresseePattern().Match(summary));

    /// <summary>The chip a START_ACK or COMPLETE payload names ("chip=0x13").</summary>
    public static byte? PayloadChip(string summary) => Hex(PayloadChipPattern().Match(summary));

    /// <summary>The COMPLETE result word after the chip ("Activated", "DigestMismatch").</summary>
    public static string? CompleteStatus(string summary) =>
        CompleteStatusPattern().Match(summary) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A chip mode named by "mode=X" in a summary, when X is one of the protocol's modes.</summary>
    public static ChipMode? Mode(string summary) =>
        ModePattern().Match(summary) is { Success: true } m ? ParseMode(m.Groups[1].Value) : null;

    /// <summary>The mode a chip log line reports for itself ("boot: mode=Initial", "mark #3: mode=Sleep").</summary>
    public static ChipMode? LoggedMode(string logLine) =>
        LoggedModePattern().Match(logLine) is { Success: true } m ? ParseMode(m.Groups[1].Value) : null;

    /// <summary>Every "name=Mode" pair of a rig mode snapshot.</summary>
    public static IEnumerable<(string Node, ChipMode Mode)> SnapshotModes(string summary)
    {
        foreach (Match m in SnapshotPattern().Matches(summary))
        {
            if (ParseMode(m.Groups[2].Value) is { } mode)
            {
                yield return (m.Groups[1].Value, mode);
            }
        }
    }

    /// <summary>An unsigned number field ("next=4608"), or null.</summary>
    public static long? Number(string summary, string field)
    {
        var m = Regex.Match(summary, $@"(?:^|\s){Regex.Escape(field)}=(\d+)\b", RegexOptions.CultureInvariant);
        return m.Success && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Image size of a STATUS response ("persisted=12981/12981").</summary>
    public static long? StatusImageSize(string summary) =>
        StatusSizePattern().Match(summary) is { Success: true } m && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
            ? size : null;

    /// <summary>Chip model id and image size from a module JSON log line ({"chip":19,...,"sizeBytes":13055}).</summary>
    public static (byte Chip, long SizeBytes)? ModuleLogImageSize(string logLine)
    {
        var chip = JsonChipPattern().Match(logLine);
        var size = JsonSizePattern().Match(logLine);
        return chip.Success && size.Success
            && byte.TryParse(chip.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && long.TryParse(size.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? (id, bytes) : null;
    }

    /// <summary>A fault's duration when its summary says "for N ms".</summary>
    public static double? DurationMs(string summary) =>
        DurationPattern().Match(summary) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    /// <summary>Replaces model ids ("chip 0x13", "0x13") by chip names so labels read in the bench's words.</summary>
    public static string NameChips(string text, TimelineSvgBench bench)
    {
        var named = ChipWordPattern().Replace(text, m => bench.ChipName(Hex(m)) ?? m.Value);
        return BareIdPattern().Replace(named, m => bench.ChipName(Hex(m)) ?? m.Value);
    }

    /// <summary>The node named by "the link above X" in a fault description.</summary>
    public static string? LinkAbove(string text) => LinkAbovePattern().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The words of a text that could be node or link names ("chip1", "chip1-chip2").</summary>
    public static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value);

    private static ChipMode? ParseMode(string text) =>
        Enum.TryParse<ChipMode>(text, ignoreCase: false, out var mode) && Enum.IsDefined(mode) && !char.IsDigit(text[0]) ? mode : null;

    private static byte? Hex(Match m) =>
        m.Success && byte.TryParse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id) ? id : null;

    [GeneratedRegex(@"^\w+ 0x([0-9A-Fa-f]{2})->")]
    private static partial Regex SenderPattern();

    [GeneratedRegex(@"^\w+ \S+->0x([0-9A-Fa-f]{2})\b")]
    private static partial Regex AddresseePattern();

    [GeneratedRegex(@"\bchip=0x([0-9A-Fa-f]{2})\b")]
    private static partial Regex PayloadChipPattern();

    [GeneratedRegex(@"\bchip=0x[0-9A-Fa-f]{2} (\w+)")]
    private static partial Regex CompleteStatusPattern();

    [GeneratedRegex(@"(?:^|\s)mode=(\w+)")]
    private static partial Regex ModePattern();

    [GeneratedRegex(@"(?:^|\s)(?:boot|mark #\d+): mode=(\w+)")]
    private static partial Regex LoggedModePattern();

    [GeneratedRegex(@"([^\s,:=]+)=(\w+)")]
    private static partial Regex SnapshotPattern();

    [GeneratedRegex(@"(?:^|\s)persisted=\d+/(\d+)\b")]
    private static partial Regex StatusSizePattern();

    [GeneratedRegex(@"""chip""\s*:\s*(\d+)")]
    private static partial Regex JsonChipPattern();

    [GeneratedRegex(@"""sizeBytes""\s*:\s*(\d+)")]
    private static partial Regex JsonSizePattern();

    [GeneratedRegex(@"\bfor (\d+(?:\.\d+)?) ?ms\b")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^\w+ \S+->\S+ seq=\d+")]
    private static partial Regex FramePrefixPattern();

    [GeneratedRegex(@"\blink above ([\w-]+)")]
    private static partial Regex LinkAbovePattern();

    [GeneratedRegex(@"[\w-]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\bchip 0x([0-9A-Fa-f]{2})\b")]
    private static partial Regex ChipWordPattern();

    [GeneratedRegex(@"\b0x([0-9A-Fa-f]{2})\b")]
    private static partial Regex BareIdPattern();
}
