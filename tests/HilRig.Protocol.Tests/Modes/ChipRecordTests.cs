using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using Xunit;

namespace HilRig.Protocol.Tests.Modes;

/// <summary>The chip record line of docs/protocol.md §11.2, as the C chip and the C# chip print it.</summary>
public sealed class ChipRecordTests
{
    [Fact]
    public void TryParse_ReadsEveryField_When_TheCChipPrintsItsBootLine()
    {
        const string Line = "HRCHIP boot mode=UPGRADE slot=B version=1.0.0 state=RECEIVING campaign=0x00001001 persisted=4096 model=0x13 size=12981 seq=7 # mark=slot1 operating";

        Assert.True(ChipRecord.TryParse(Line, out var record, out var error), error);

        Assert.Equal(new ChipRecord(ChipRecord.Boot, ChipMode.Upgrade, 'B', new FirmwareVersion(1, 0, 0), UpgradeState.Receiving, 0x1001, 4096)
        {
            ModelId = 0x13, ImageSizeBytes = 12981, Sequence = 7, Note = "mark=slot1 operating",
        }, record);
    }

    [Fact]
    public void TryParse_ReadsTheRecord_When_ALogPrefixComesFirst()
    {
        var line = "12:00:00.850 chip3: " + new ChipRecord(ChipRecord.Mark, ChipMode.PassThrough, 'A', new FirmwareVersion(1, 1, 0), UpgradeState.Idle, 7, 0).Format();

        Assert.True(ChipRecord.TryParse(line, out var record, out _));
        Assert.Equal((ChipRecord.Mark, ChipMode.PassThrough, "1.1.0"), (record!.Event, record.Mode, record.Version.ToString()));
    }

    [Fact]
    public void Format_RoundTrips_When_OptionalFieldsAreSet()
    {
        var record = new ChipRecord(ChipRecord.Mark, ChipMode.Sleep, 'B', new FirmwareVersion(2, 0, 513), UpgradeState.Done, 0xFFFFFFFF, 13055)
        {
            ModelId = 0x11, ImageSizeBytes = 13055, Sequence = 12, Note = "START for another chip: sleep",
        };

        Assert.True(ChipRecord.TryParse(record.Format(), out var back, out _));
        Assert.Equal(record, back);
    }

    [Theory]
    [InlineData("boot: mode=Initial slot=0")]
    [InlineData("XHRCHIP boot mode=INITIAL")]
    [InlineData("")]
    public void TryParse_FindsNoRecord_When_TheLineHasNoPrefix(string line)
    {
        Assert.False(ChipRecord.TryParse(line, out var record, out var error));
        Assert.Null(record);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("HRCHIP reboot mode=INITIAL", "expected 'boot' or 'mark' after 'HRCHIP', found 'reboot'")]
    [InlineData("HRCHIP boot mode=INITIAL slot=A version=1.0.0 state=IDLE campaign=0x0", "field 'persisted' missing")]
    [InlineData("HRCHIP boot mode=SLEEPY slot=A version=1.0.0 state=IDLE campaign=0x0 persisted=0", "field 'mode' is 'SLEEPY', expected INITIAL, UPGRADE, PASS_THROUGH or SLEEP")]
    [InlineData("HRCHIP boot mode=SLEEP slot=C version=1.0.0 state=IDLE campaign=0x0 persisted=0", "field 'slot' is 'C'")]
    [InlineData("HRCHIP boot mode=SLEEP slot=A version=1.0.0 state=3 campaign=0x0 persisted=0", "field 'state' is '3'")]
    [InlineData("HRCHIP boot mode=SLEEP slot=A version=1.0.0 state=DONE campaign=4097 persisted=0", "field 'campaign' is '4097', expected 0x")]
    [InlineData("HRCHIP mark mode=SLEEP slot=A version=1.0 state=DONE campaign=0x1 persisted=0", "field 'version' is '1.0'")]
    [InlineData("HRCHIP mark mode=SLEEP slot=A version=1.0.0 state=DONE campaign=0x1 persisted=0 loose", "'loose' is not key=value")]
    public void TryParse_NamesTheFieldAndWhatWasExpected_When_TheRecordIsBad(string line, string expected)
    {
        Assert.False(ChipRecord.TryParse(line, out var record, out var error));
        Assert.Null(record);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
