using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Framing;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// The words a feature file uses for "when" a fault fires, turned into triggers:
/// <list type="bullet">
/// <item><c>at 50% of chip3's transfer</c>, <c>at byte 1 of chip3's transfer</c> (byte 0: when it enters UPGRADE)</item>
/// <item><c>when chip3 acknowledges the last byte of its image</c></item>
/// <item><c>when the first PREPARE reaches chip2</c> (going down the link above chip2)</item>
/// <item><c>when the second START_ACK reaches the module</c>, <c>when the first COMPLETE from chip3 leaves chip2</c> (going up the link above chip2)</item>
/// <item><c>after 300 ms</c></item>
/// </list>
/// </summary>
public static partial class TriggerPhrases
{
    [GeneratedRegex(@"^at (\d+(?:\.\d+)?)% of (\w+)'s transfer$")]
    private static partial Regex Percent();

    [GeneratedRegex(@"^at byte (\d+) of (\w+)'s transfer$")]
    private static partial Regex Byte();

    [GeneratedRegex(@"^when (\w+) acknowledges the last byte of its image$")]
    private static partial Regex LastByte();

    [GeneratedRegex(@"^when the (first|second|third|fourth|fifth|\d+(?:st|nd|rd|th)) ([A-Z_]+)(?: from (\w+))? (reaches|leaves) (the module|\w+)$")]
    private static partial Regex Protocol();

    [GeneratedRegex(@"^after (\d+) ms$")]
    private static partial Regex Delay();

    [GeneratedRegex(@"^when the module has downloaded (\d+)% of its firmware$")]
    private static partial Regex ModuleDownload();

    [GeneratedRegex(@"^when the module has downloaded (\d+) bytes of chip firmware$")]
    private static partial Regex ChipDownload();

    /// <summary>Parses <paramref name="phrase"/> for the running bench; throws with the list of phrases understood when it is not one.</summary>
    public static IFaultTrigger Parse(string phrase, BenchDriver bench) => Parse(phrase, bench.Wiring);

    /// <summary>Parses <paramref name="phrase"/> for a bench wired as <paramref name="wiring"/>; throws with the list of phrases understood when it is not one.</summary>
    public static IFaultTrigger Parse(string phrase, BenchWiring wiring)
    {
        var bench = new WiredChips(wiring);
        phrase = phrase.Trim();
        if (Percent().Match(phrase) is { Success: true } p)
            return new AtTransferPoint(bench.Chip(p.Groups[2].Value).Name, null, double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture));
        if (Byte().Match(phrase) is { Success: true } b)
            return new AtTransferPoint(bench.Chip(b.Groups[2].Value).Name, long.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture), null);
        if (LastByte().Match(phrase) is { Success: true } l)
            return new OnLastByteAcknowledged(bench.Chip(l.Groups[1].Value).Name);
        if (Delay().Match(phrase) is { Success: true } d)
            return new AfterDelay(TimeSpan.FromMilliseconds(int.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture)));
        if (ModuleDownload().Match(phrase) is { Success: true } md)
        {
            if (bench.Wiring.Kind == BenchKind.Hardware && bench.Wiring.Module.Kind == ModuleKind.Device)
            {
                // The trigger fires on the module's own count (its partial file); a real module's cannot be read, and the
                // server's count runs ahead of it by what is in flight, so the fault would not land at a known byte.
                throw new HilRig.Gherkin.SkipScenarioException($"bench '{bench.Wiring.Name}' runs the device's own module, whose count of its own download the rig cannot read: a fault {phrase} would not land at a known byte");
            }
            var percent = int.Parse(md.Groups[1].Value, CultureInfo.InvariantCulture);
            var size = ModuleImageSize(bench);
            return new AtDownloadedBytes(size * percent / 100, $"{percent}% of its firmware ({size * percent / 100} of {size} bytes)");
        }
        if (ChipDownload().Match(phrase) is { Success: true } cd)
            return new AtDownloadedBytes(long.Parse(cd.Groups[1].Value, CultureInfo.InvariantCulture), $"{cd.Groups[1].Value} bytes of chip firmware");
        if (Protocol().Match(phrase) is { Success: true } m)
        {
            var nth = Ordinal(m.Groups[1].Value);
            var type = MessageTypeOf(m.Groups[2].Value);
            byte? from = m.Groups[3].Success ? bench.Chip(m.Groups[3].Value).ModelId : null;
            var place = m.Groups[5].Value;
            if (place == "the module")
                return new OnProtocolEvent(type, nth, null, from, Direction.Upstream);
            var chip = bench.Chip(place).Name;
            return new OnProtocolEvent(type, nth, chip, from, m.Groups[4].Value == "reaches" ? Direction.Downstream : Direction.Upstream);
        }
        throw new ArgumentException(
            $"'{phrase}' is not a fault moment the rig knows. Use one of: \"at 50% of chip3's transfer\", \"at byte 1 of chip3's transfer\", " +
            "\"when chip3 acknowledges the last byte of its image\", \"when the first PREPARE reaches chip2\", " +
            "\"when the second START_ACK reaches the module\", \"when the first COMPLETE from chip3 leaves chip2\", \"after 300 ms\", " +
            "\"when the module has downloaded 50% of its firmware\", \"when the module has downloaded 5000 bytes of chip firmware\".");
    }

    /// <summary>The chips of a wiring by name, with a message listing them when there is no such chip.</summary>
    private sealed record WiredChips(BenchWiring Wiring)
    {
        public ChipWiring Chip(string name) => Wiring.Chips.FirstOrDefault(c => c.Name == name)
            ?? throw new ArgumentException($"bench {Wiring.Name} has no chip '{name}' (chips: {string.Join(", ", Wiring.Chips.Select(c => c.Name))})");
    }

    /// <summary>Size of the WiFi module's firmware files the bench's servers hand out (every sample has the same size).</summary>
    private static long ModuleImageSize(WiredChips bench)
    {
        var path = bench.Wiring.Module.FactoryImage
            ?? throw new ArgumentException($"bench {bench.Wiring.Name} gives its module no factory_image, so it has no WiFi firmware to download");
        return new FileInfo(path).Length;
    }

    private static int Ordinal(string word) => word switch
    {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        _ => int.Parse(word[..^2], CultureInfo.InvariantCulture),
    };

    /// <summary>PREPARE_ACK → PrepareAck; also accepts the enum names.</summary>
    public static MessageType MessageTypeOf(string word)
    {
        var name = string.Concat(word.Split('_').Select(p => p.Length == 0 ? p : p[0] + p[1..].ToLowerInvariant()));
        name = name switch { "StatusReq" => nameof(MessageType.StatusRequest), "StatusRsp" => nameof(MessageType.StatusResponse), _ => name };
        return Enum.TryParse<MessageType>(name, ignoreCase: true, out var type) ? type
            : throw new ArgumentException($"'{word}' is not a message type (known: PREPARE, PREPARE_ACK, START, START_ACK, DATA, DATA_ACK, COMPLETE, STATUS_REQ, STATUS_RSP)");
    }
}
