using System.Text.RegularExpressions;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Persistence;
using HilRig.Protocol.Tests.Support;

namespace HilRig.Protocol.Tests;

/// <summary>docs/protocol.md is a product: its vectors are checked against the codec on every build.</summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly ProtocolDocument Doc = ProtocolDocument.Load();

    [Fact]
    public void Document_HoldsEnoughVectors_When_Parsed()
    {
        Assert.True(Doc.Vectors.Count >= 12, $"{Doc.Path}: {Doc.Vectors.Count} frame vectors, expected at least 12");
        Assert.True(Doc.CrcVectors.Count >= 3, $"{Doc.Path}: {Doc.CrcVectors.Count} CRC vectors, expected at least 3");
        Assert.True(Doc.Records.Count >= 3, $"{Doc.Path}: {Doc.Records.Count} record vectors, expected at least 3");
        Assert.Equal(Doc.Vectors.Count, Doc.Vectors.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void Vectors_CoverEveryMessageType_When_Parsed()
    {
        var missing = Enum.GetValues<MessageType>().Where(t => Doc.Vectors.All(v => v.Type != (byte)t)).ToList();

        Assert.True(missing.Count == 0, $"no vector for {string.Join(", ", missing)}");
    }

    [Fact]
    public void Vectors_EncodeToDocumentedBytes_When_BuiltFromTheirFields()
    {
        var failures = Doc.Vectors
            .Select(v => (v, actual: new Frame((MessageType)v.Type, v.Destination, v.Source, v.Sequence, v.Payload).Encode()))
            .Where(p => !p.actual.AsSpan().SequenceEqual(p.v.Frame))
            .Select(p => $"line {p.v.Line} {p.v.Name}: encoder gives {Convert.ToHexStringLower(p.actual)}")
            .ToList();

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Vectors_DecodeToTheirFields_When_FedToDecoder()
    {
        var failures = new List<string>();
        foreach (var v in Doc.Vectors)
        {
            var decoder = new FrameDecoder();
            var items = decoder.Feed(v.Frame);
            if (items is not [DecodedFrame { Frame: var f }] || decoder.PendingBytes != 0)
            {
                failures.Add($"line {v.Line} {v.Name}: decoder gives {string.Join("; ", items)} with {decoder.PendingBytes} pending");
                continue;
            }
            if (!FrameAssert.SameFrame(f, new Frame((MessageType)v.Type, v.Destination, v.Source, v.Sequence, v.Payload)))
            {
                failures.Add($"line {v.Line} {v.Name}: decoded {f}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void VectorPayloads_DecodeWithoutError_When_TypeIsKnown()
    {
        var failures = new List<string>();
        foreach (var v in Doc.Vectors)
        {
            string? error = null;
            var known = (MessageType)v.Type switch
            {
                MessageType.Prepare => PreparePayload.TryDecode(v.Payload, out error) is not null,
                MessageType.PrepareAck => PrepareAckPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.Start => StartPayload.TryDecode(v.Payload, out error) is not null
                    && ImageHeader.TryDecode(v.Payload.AsSpan(5), out error) is not null,
                MessageType.StartAck => StartAckPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.Data => DataPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.DataAck => DataAckPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.Complete => CompletePayload.TryDecode(v.Payload, out error) is not null,
                MessageType.StatusRequest => v.Payload.Length == 0,
                MessageType.StatusResponse => StatusPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.BenchSetOperating => BenchSetOperatingPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.TransferOptions => TransferOptionsPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.Provision => ProvisionPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.ProvisionAck => ProvisionAckPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.Control => ControlPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.ControlReply => ControlReplyPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.BodyStatus => BodyStatusPayload.TryDecode(v.Payload, out error) is not null,
                MessageType.OtaNotice => OtaNoticePayload.TryDecode(v.Payload, out error) is not null,
                MessageType.OtaAnswer => OtaAnswerPayload.TryDecode(v.Payload, out error) is not null,
                _ => true,
            };
            if (!known)
            {
                failures.Add($"line {v.Line} {v.Name}: payload does not decode: {error ?? "unexpected payload"}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void CrcVectors_MatchCrc32_When_Computed()
    {
        var failures = Doc.CrcVectors
            .Where(c => Crc32.Compute(c.Data) != c.Crc)
            .Select(c => $"line {c.Line} {c.Text}: Crc32.Compute gives 0x{Crc32.Compute(c.Data):x8}")
            .ToList();

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Contains(Doc.CrcVectors, c => c.Crc == 0xCBF43926u && c.Data.SequenceEqual("123456789"u8.ToArray()));
    }

    [Fact]
    public void ImageHeaderRecords_MatchCodec_When_Parsed()
    {
        var records = Doc.Records.Where(r => r.Kind == "image-header").ToList();
        Assert.NotEmpty(records);
        foreach (var r in records)
        {
            var header = new ImageHeader((byte)r.Number("model"), FirmwareVersion.Parse(r.Text("version")), r.Number("body-size"),
                r.Bytes("digest"), r.Number("signed") != 0);

            Assert.True(header.Encode().AsSpan().SequenceEqual(r.Bytes("bytes")), $"line {r.Line}: encoder gives {Convert.ToHexStringLower(header.Encode())}");
            var decoded = ImageHeader.TryDecode(r.Bytes("bytes"), out var error);
            Assert.True(decoded is not null, $"line {r.Line}: {error}");
            Assert.Equal((header.ModelId, header.Version, header.BodySizeBytes, header.Signed), (decoded.ModelId, decoded.Version, decoded.BodySizeBytes, decoded.Signed));
        }
    }

    [Fact]
    public void ImageFileRecords_MatchCodec_When_Parsed()
    {
        var records = Doc.Records.Where(r => r.Kind == "image-file").ToList();
        Assert.NotEmpty(records);
        foreach (var r in records)
        {
            var image = FirmwareImage.Create((byte)r.Number("model"), FirmwareVersion.Parse(r.Text("version")), r.Bytes("body"));

            Assert.True(image.Encode().AsSpan().SequenceEqual(r.Bytes("bytes")), $"line {r.Line}: encoder gives {Convert.ToHexStringLower(image.Encode())}");
            Assert.True(FirmwareImage.TryDecode(r.Bytes("bytes"), out var error) is not null, $"line {r.Line}: {error}");
        }
    }

    [Fact]
    public void MemoryMarkRecords_MatchCodec_When_Parsed()
    {
        var records = Doc.Records.Where(r => r.Kind == "memory-mark").ToList();
        Assert.NotEmpty(records);
        foreach (var r in records)
        {
            var mark = new MemoryMarkRecord(r.Number("sequence"), (ChipMode)r.Number("mode"), (byte)r.Number("slot"), (UpgradeState)r.Number("state"),
                r.Number("campaign"), r.Number("persisted"), r.Number("image-size"), r.Bytes("digest"));

            Assert.True(mark.Encode().AsSpan().SequenceEqual(r.Bytes("bytes")), $"line {r.Line}: encoder gives {Convert.ToHexStringLower(mark.Encode())}");
            var decoded = MemoryMarkRecord.TryDecode(r.Bytes("bytes"));
            Assert.True(decoded is not null, $"line {r.Line}: record does not decode");
            Assert.Equal(mark with { ImageDigest = decoded.ImageDigest }, decoded);
        }
        Assert.Contains(records, r => r.Bytes("bytes").SequenceEqual(MemoryMarkRecord.Factory.Encode()));
    }

    [Fact]
    public void MessageTable_ListsEveryMessageTypeHexCode_When_Read()
    {
        var missing = Enum.GetValues<MessageType>()
            .Where(t => !Regex.IsMatch(Doc.Text, $@"^\|\s*`0x{(byte)t:X2}`\s*\|", RegexOptions.Multiline))
            .ToList();

        Assert.True(missing.Count == 0, $"{Doc.Path}: the §5 table has no row for {string.Join(", ", missing.Select(t => $"{t} (0x{(byte)t:X2})"))}");
    }

    [Fact]
    public void MessageTable_NamesOnlyTypesTheCodeKnows_When_Read()
    {
        var unknown = MessageRow().Matches(Doc.Text)
            .Select(m => Convert.ToByte(m.Groups["code"].Value, 16))
            .Where(code => !Enum.IsDefined((MessageType)code))
            .ToList();

        Assert.True(unknown.Count == 0, $"{Doc.Path}: table rows for types the code lacks: {string.Join(", ", unknown.Select(c => $"0x{c:X2}"))}");
    }

    [Fact]
    public void Document_HasEverySectionTheCodeCites_When_RigSourcesAreScanned()
    {
        // A bare "§n" cites docs/protocol.md; "docs/other.md §n" cites that page.
        var headingsByPage = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> HeadingsOf(string page)
        {
            if (!headingsByPage.TryGetValue(page, out var set))
            {
                var path = Path.Combine(TestRepository.Root, "docs", page);
                set = File.Exists(path) ? Heading().Matches(File.ReadAllText(path)).Select(m => m.Groups["number"].Value).ToHashSet() : [];
                headingsByPage[page] = set;
            }
            return set;
        }
        var sources = Directory.EnumerateFiles(Path.Combine(TestRepository.Root, "rig"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var missing = new List<string>();
        foreach (var file in sources)
        {
            foreach (Match m in Citation().Matches(File.ReadAllText(file)))
            {
                var page = m.Groups["page"].Success ? m.Groups["page"].Value : "protocol.md";
                foreach (Capture number in m.Groups["number"].Captures)
                {
                    if (!HeadingsOf(page).Contains(number.Value))
                    {
                        missing.Add($"{Path.GetRelativePath(TestRepository.Root, file)} cites docs/{page} §{number.Value}");
                    }
                }
            }
        }

        Assert.True(HeadingsOf("protocol.md").Count >= 12, $"only {HeadingsOf("protocol.md").Count} numbered headings found in {Doc.Path}");
        Assert.True(missing.Count == 0, $"sections the code cites are missing:{Environment.NewLine}{string.Join(Environment.NewLine, missing.Distinct())}");
    }

    [GeneratedRegex(@"^\|\s*`0x(?<code>[0-9A-Fa-f]{2})`\s*\|\s*[A-Z_]+\s*\|", RegexOptions.Multiline)]
    private static partial Regex MessageRow();

    [GeneratedRegex(@"^#{2,3} (?<number>\d+(\.\d+)?) ", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"(?<!RFC \d+ )(?:docs/(?<page>[a-z-]+\.md) )?§(?<number>\d+(?:\.\d+)?)(?:(?:, | and )§(?<number>\d+(?:\.\d+)?))*")]
    private static partial Regex Citation();
}
