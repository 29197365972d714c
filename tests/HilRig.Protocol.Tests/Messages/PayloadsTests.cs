using FsCheck.Xunit;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Messages;

public sealed class PayloadsTests
{
    private delegate object? Decoder(byte[] data, out string? error);

    /// <summary>One sample of every payload type, with its decoder and whether trailing bytes are refused.</summary>
    public static TheoryData<string> PayloadNames => new(Samples.Keys);

    private static readonly Dictionary<string, (byte[] Bytes, Decoder Decode, bool RefusesTrailing)> Samples = new()
    {
        ["PREPARE"] = (new PreparePayload(7, 2000).Encode(), (byte[] d, out string? e) => PreparePayload.TryDecode(d, out e), true),
        ["PREPARE_ACK"] = (new PrepareAckPayload(7, PrepareStatus.Ready, 0x11, [new TopologyEntry(0x11, 0, ChipMode.Initial, new(1, 0, 0))]).Encode(),
            (byte[] d, out string? e) => PrepareAckPayload.TryDecode(d, out e), true),
        ["START"] = (new StartPayload(7, 0x13, new byte[ImageHeader.SizeBytes]).Encode(), (byte[] d, out string? e) => StartPayload.TryDecode(d, out e), true),
        ["START_ACK"] = (new StartAckPayload(7, 0x12, ChipMode.Upgrade, 4096, StartStatus.Ok) { Below = [new StartAnswer(0x13, ChipMode.Sleep, 0, StartStatus.Ok)] }.Encode(), (byte[] d, out string? e) => StartAckPayload.TryDecode(d, out e), true),
        ["DATA"] = (new DataPayload(4096, [1, 2, 3]).Encode(), (byte[] d, out string? e) => DataPayload.TryDecode(d, out e), false),
        ["DATA_ACK"] = (new DataAckPayload(4096, 4099, DataStatus.Ok).Encode(), (byte[] d, out string? e) => DataAckPayload.TryDecode(d, out e), true),
        ["COMPLETE"] = (new CompletePayload(7, 0x13, CompleteStatus.Activated, new(1, 1, 0)).Encode(), (byte[] d, out string? e) => CompletePayload.TryDecode(d, out e), true),
        ["STATUS_RSP"] = (new StatusPayload(ChipMode.Initial, 1, new(1, 1, 0), UpgradeState.Done, false, 7, 13647, 13647, new byte[32]).Encode(),
            (byte[] d, out string? e) => StatusPayload.TryDecode(d, out e), true),
        ["BENCH_SET_OPERATING"] = (new BenchSetOperatingPayload(true).Encode(), (byte[] d, out string? e) => BenchSetOperatingPayload.TryDecode(d, out e), true),
    };

    [Property]
    public bool DataAck_RoundTrips_In_Both_Forms_When_FieldsAreArbitrary(uint persisted, uint next, byte status, bool selective, uint answered, ulong held)
    {
        var payload = new DataAckPayload(persisted, next, (DataStatus)status) { Selective = selective ? new SelectiveAck(answered, held) : null };
        var bytes = payload.Encode();
        return bytes.Length == (selective ? DataAckPayload.SelectiveSizeBytes : DataAckPayload.ShortSizeBytes) && DataAckPayload.TryDecode(bytes, out _) == payload;
    }

    [Theory]
    [InlineData(10, "DATA_ACK: 1 unexpected trailing byte(s)")]
    [InlineData(20, "DATA_ACK: 11 unexpected trailing byte(s)")]
    [InlineData(23, "DATA_ACK: 2 unexpected trailing byte(s)")]
    public void DataAck_IsMalformed_When_ItIsNeitherTheShortNorTheSelectiveForm(int length, string expected)
    {
        var bytes = new DataAckPayload(4096, 4608, DataStatus.Ok) { Selective = new SelectiveAck(5120, 0b10) }.Encode();
        Array.Resize(ref bytes, length);

        Assert.Null(DataAckPayload.TryDecode(bytes, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1021)]
    public void TransferOptions_IsMalformed_When_TheUnitIsOutside1To1020(int unit)
    {
        Assert.Null(TransferOptionsPayload.TryDecode(new TransferOptionsPayload(7, TransferFlags.SelectiveAck, (ushort)unit).Encode(), out var error));
        Assert.Contains("unit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectiveAck_HoldsTheFramesItsBitsName_When_NextIsOffTheGrid()
    {
        // next 4700 rounds up to base 5120: bit 0 is the frame at 5120, bit 2 the one at 6144.
        var ack = new SelectiveAck(6144, 0b101);

        Assert.True(ack.Holds(5120, 4700, 512));
        Assert.False(ack.Holds(5632, 4700, 512));
        Assert.True(ack.Holds(6144, 4700, 512));
        Assert.False(ack.Holds(4608, 4700, 512));
    }

    [Theory]
    [MemberData(nameof(PayloadNames))]
    public void TryDecode_ReturnsErrorNotException_When_PayloadIsTruncated(string name)
    {
        var (bytes, decode, _) = Samples[name];
        // DATA carries any number of bytes after its 4-byte offset, so only cuts inside the offset are short.
        var shortest = name == "DATA" ? 4 : bytes.Length;

        for (var length = 0; length < shortest; length++)
        {
            if (IsProtocol10Form(name, length))
            {
                continue;
            }
            var result = decode(bytes[..length], out var error);

            Assert.Null(result);
            Assert.False(string.IsNullOrWhiteSpace(error), $"{name} cut to {length} bytes gave no error text");
            Assert.Contains("too short", error);
        }
    }

    /// <summary>Protocol 1.1 receivers still accept the 1.0 START (no budget) and START_ACK (no collection), §1.</summary>
    private static bool IsProtocol10Form(string name, int length) =>
        (name == "START" && length == StartPayload.V10SizeBytes) || (name == "START_ACK" && length == StartAckPayload.V10SizeBytes);

    [Fact]
    public void TryDecode_AcceptsTheProtocol10Forms_When_StartHasNoBudgetAndStartAckNoCollection()
    {
        var start = StartPayload.TryDecode(new StartPayload(7, 0x13, new byte[ImageHeader.SizeBytes], 300).Encode()[..StartPayload.V10SizeBytes], out var startError);
        var ack = StartAckPayload.TryDecode(Convert.FromHexString("07000000" + "13" + "01" + "00100000" + "00"), out var ackError);

        Assert.Null(startError);
        Assert.Equal(StartPayload.DefaultBudgetMs, start!.BudgetMs);
        Assert.Null(ackError);
        Assert.Equal(new StartAckPayload(7, 0x13, ChipMode.Upgrade, 0x1000, StartStatus.Ok), ack);
        Assert.Equal([new StartAnswer(0x13, ChipMode.Upgrade, 0x1000, StartStatus.Ok)], ack!.Answers);
    }

    [Theory]
    [MemberData(nameof(PayloadNames))]
    public void TryDecode_RefusesTrailingBytes_When_TypeHasFixedLayout(string name)
    {
        var (bytes, decode, refusesTrailing) = Samples[name];

        var result = decode([.. bytes, 0x00], out var error);

        Assert.Equal(refusesTrailing, result is null);
        if (refusesTrailing)
        {
            Assert.Contains("trailing", error);
        }
    }

    [Theory]
    [MemberData(nameof(PayloadNames))]
    public void TryDecode_Succeeds_When_PayloadIsExact(string name)
    {
        var (bytes, decode, _) = Samples[name];

        Assert.NotNull(decode(bytes, out var error));
        Assert.Null(error);
    }

    [Property]
    public bool Prepare_RoundTrips_When_FieldsAreArbitrary(uint campaign, ushort budget)
    {
        var decoded = PreparePayload.TryDecode(new PreparePayload(campaign, budget).Encode(), out _);
        return decoded == new PreparePayload(campaign, budget);
    }

    [Property]
    public bool PrepareAck_RoundTrips_When_FieldsAreArbitrary(uint campaign, byte status, byte reporting, byte[] entryBytes)
    {
        var entries = entryBytes.Chunk(TopologyEntry.SizeBytes).Where(c => c.Length == TopologyEntry.SizeBytes).Take(145)
            .Select(c => new TopologyEntry(c[0], c[1], (ChipMode)c[2], FirmwareVersion.Read(c.AsSpan(3))))
            .ToList();
        var payload = new PrepareAckPayload(campaign, (PrepareStatus)status, reporting, entries);

        var bytes = payload.Encode();
        var decoded = PrepareAckPayload.TryDecode(bytes, out _);

        return bytes.Length == 7 + 7 * entries.Count
            && decoded is not null
            && (decoded.CampaignId, decoded.Status, decoded.ReportingChip) == (campaign, (PrepareStatus)status, reporting)
            && decoded.Chips.SequenceEqual(entries);
    }

    [Property]
    public bool Start_RoundTrips_When_FieldsAreArbitrary(uint campaign, byte target, byte[] seed, ushort budget)
    {
        var header = Enumerable.Range(0, ImageHeader.SizeBytes).Select(i => seed.Length == 0 ? (byte)i : seed[i % seed.Length]).ToArray();
        var bytes = new StartPayload(campaign, target, header, budget).Encode();
        var decoded = StartPayload.TryDecode(bytes, out _);
        return bytes.Length == 71 && decoded is not null && decoded.CampaignId == campaign && decoded.Target == target
            && decoded.ImageHeader.SequenceEqual(header) && decoded.BudgetMs == budget;
    }

    [Property]
    public bool StartAck_RoundTrips_When_FieldsAreArbitrary(uint campaign, byte chip, byte mode, uint resume, byte status, bool silent, byte[] below)
    {
        var answers = below.Take(20).Select((b, i) => new StartAnswer(b, (ChipMode)(i % 4), (uint)(b * 4096), (StartStatus)(b % 5))).ToList();
        var reporting = silent && below.Length > 0 && below[0] != chip ? below[0] : (byte)0;
        var payload = new StartAckPayload(campaign, chip, (ChipMode)mode, resume, (StartStatus)status)
        {
            Collection = silent ? StartStatus.DownstreamSilent : StartStatus.Ok, ReportingChip = reporting, Below = answers,
        };
        var bytes = payload.Encode();
        return bytes.Length == 14 + 7 * answers.Count && StartAckPayload.TryDecode(bytes, out _) == payload;
    }

    [Property]
    public bool Data_RoundTrips_When_FieldsAreArbitrary(uint offset, byte[] data)
    {
        var bytes = new DataPayload(offset, data).Encode();
        var decoded = DataPayload.TryDecode(bytes, out _);
        return bytes.Length == 4 + data.Length && decoded is not null && decoded.Offset == offset && decoded.Bytes.SequenceEqual(data);
    }

    [Property]
    public bool DataAck_RoundTrips_When_FieldsAreArbitrary(uint persisted, uint next, byte status)
    {
        var payload = new DataAckPayload(persisted, next, (DataStatus)status);
        var bytes = payload.Encode();
        return bytes.Length == 9 && DataAckPayload.TryDecode(bytes, out _) == payload;
    }

    [Property]
    public bool Complete_RoundTrips_When_FieldsAreArbitrary(uint campaign, byte chip, byte status, byte major, byte minor, ushort patch)
    {
        var payload = new CompletePayload(campaign, chip, (CompleteStatus)status, new FirmwareVersion(major, minor, patch));
        var bytes = payload.Encode();
        return bytes.Length == 10 && CompletePayload.TryDecode(bytes, out _) == payload;
    }

    [Property]
    public bool Status_RoundTrips_When_FieldsAreArbitrary(byte mode, byte slot, uint version, byte state, bool operating, uint campaign, uint persisted, uint size, byte[] seed)
    {
        var digest = Enumerable.Range(0, 32).Select(i => seed.Length == 0 ? (byte)0 : seed[i % seed.Length]).ToArray();
        var v = new FirmwareVersion((byte)version, (byte)(version >> 8), (ushort)(version >> 16));
        var payload = new StatusPayload((ChipMode)mode, slot, v, (UpgradeState)state, operating, campaign, persisted, size, digest);

        var bytes = payload.Encode();
        var d = StatusPayload.TryDecode(bytes, out _);

        return bytes.Length == StatusPayload.SizeBytes && d is not null
            && d with { ActiveDigest = digest } == payload
            && d.ActiveDigest.SequenceEqual(digest);
    }

    [Property]
    public bool BenchSetOperating_RoundTrips_When_FlagIsArbitrary(bool operating)
    {
        var bytes = new BenchSetOperatingPayload(operating).Encode();
        return bytes.SequenceEqual(new[] { operating ? (byte)1 : (byte)0 })
            && BenchSetOperatingPayload.TryDecode(bytes, out _) == new BenchSetOperatingPayload(operating);
    }

    [Fact]
    public void BenchSetOperating_ReadsAnyNonZeroAsOperating_When_Decoded()
    {
        Assert.True(BenchSetOperatingPayload.TryDecode([0x80], out _)!.Operating);
    }
    /// <summary>Each fixed payload's fields in wire order (docs/protocol.md §5), by the names its decoder reports.</summary>
    private static readonly Dictionary<string, (string Field, int Size)[]> Layouts = new()
    {
        ["PREPARE"] = [("campaign id", 4), ("budget ms", 2)],
        ["PREPARE_ACK"] = [("campaign id", 4), ("status", 1), ("reporting chip", 1), ("chip count", 1), ("model id", 1), ("parent id", 1), ("mode", 1), ("version", 4)],
        ["START"] = [("campaign id", 4), ("target", 1), ("image header", ImageHeader.SizeBytes), ("budget ms", 2)],
        ["START_ACK"] = [("campaign id", 4), ("chip", 1), ("mode", 1), ("resume offset", 4), ("status", 1), ("collection status", 1), ("reporting chip", 1),
            ("answer count", 1), ("chip", 1), ("mode", 1), ("resume offset", 4), ("status", 1)],
        ["DATA"] = [("offset", 4)],
        ["DATA_ACK"] = [("persisted", 4), ("next", 4), ("status", 1)],
        ["COMPLETE"] = [("campaign id", 4), ("chip", 1), ("status", 1), ("active version", 4)],
        ["STATUS_RSP"] = [("mode", 1), ("active slot", 1), ("active version", 4), ("upgrade state", 1), ("operating", 1), ("campaign id", 4),
            ("persisted offset", 4), ("image size", 4), ("active digest", 32)],
        ["BENCH_SET_OPERATING"] = [("operating", 1)],
    };

    [Theory]
    [MemberData(nameof(PayloadNames))]
    public void TryDecode_NamesTheFieldItRanOutIn_When_PayloadIsTruncated(string name)
    {
        // A firmware team reads these messages in the rig's log: each cut names the field it fell in and where it starts.
        var (bytes, decode, _) = Samples[name];
        var start = 0;
        foreach (var (field, size) in Layouts[name])
        {
            for (var length = start; length < start + size; length++)
            {
                if (IsProtocol10Form(name, length))
                {
                    continue;
                }
                decode(bytes[..length], out var error);
                Assert.Equal($"payload too short for {field}: needs {size} byte(s) at offset {start}, has {length - start}", error);
            }
            start += size;
        }
        Assert.Equal(name == "DATA" ? 4 : bytes.Length, start);
    }

    [Theory]
    [MemberData(nameof(PayloadNames))]
    public void TryDecode_NamesTheMessage_When_BytesTrail(string name)
    {
        var (bytes, decode, refusesTrailing) = Samples[name];
        if (!refusesTrailing) return;

        decode([.. bytes, 0x00, 0x01], out var error);

        Assert.Equal($"{name}: 2 unexpected trailing byte(s)", error);
    }

    [Fact]
    public void Encode_WritesEveryFieldLittleEndian_In_The_Order_Of_The_Page()
    {
        Assert.Equal(Convert.FromHexString("44332211" + "6655"), new PreparePayload(0x11223344, 0x5566).Encode());
        Assert.Equal(Convert.FromHexString("44332211" + "13" + "01" + "00100000" + "04" + "00" + "13" + "00"), new StartAckPayload(0x11223344, 0x13, ChipMode.Upgrade, 0x1000, StartStatus.AlreadyUpgraded).Encode());
        Assert.Equal(Convert.FromHexString("44332211" + "12" + "01" + "00000000" + "00" + "05" + "13" + "01" + "13" + "03" + "00000000" + "00"),
            new StartAckPayload(0x11223344, 0x12, ChipMode.Upgrade, 0, StartStatus.Ok) { Collection = StartStatus.DownstreamSilent, ReportingChip = 0x13, Below = [new StartAnswer(0x13, ChipMode.Sleep, 0, StartStatus.Ok)] }.Encode());
        Assert.Equal(Convert.FromHexString("44332211" + "13" + new string('0', 128) + "2003"), new StartPayload(0x11223344, 0x13, new byte[64], 0x0320).Encode());
        Assert.Equal(Convert.FromHexString("00100000" + "40180000" + "03"), new DataAckPayload(0x1000, 0x1840, DataStatus.NotTarget).Encode());
        Assert.Equal(Convert.FromHexString("44332211" + "13" + "01" + Hex(new FirmwareVersion(1, 2, 0x0304))), new CompletePayload(0x11223344, 0x13, CompleteStatus.DigestMismatch, new(1, 2, 0x0304)).Encode());
        Assert.Equal(Convert.FromHexString("44332211" + "03" + "12" + "01" + "13" + "11" + "01" + Hex(new FirmwareVersion(1, 0, 0))),
            new PrepareAckPayload(0x11223344, PrepareStatus.DownstreamSilent, 0x12, [new TopologyEntry(0x13, 0x11, ChipMode.Upgrade, new(1, 0, 0))]).Encode());
        var digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var status = new StatusPayload(ChipMode.Sleep, 1, new(1, 1, 0), UpgradeState.Done, true, 0x11223344, 0x1000, 0x1840, [.. digest, 0xEE]).Encode();
        Assert.Equal(Convert.FromHexString("03" + "01" + Hex(new FirmwareVersion(1, 1, 0)) + "03" + "01" + "44332211" + "00100000" + "40180000" + Convert.ToHexString(digest)), status);
    }

    private static string Hex(FirmwareVersion version)
    {
        var bytes = new byte[FirmwareVersion.SizeBytes];
        version.Write(bytes);
        return Convert.ToHexString(bytes);
    }
}
