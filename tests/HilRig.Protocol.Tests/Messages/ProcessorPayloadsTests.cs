using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Messages;

public class ProcessorPayloadsTests
{
    [Fact]
    public void Control_RoundTrips_When_ArgumentIsEmpty()
    {
        var sent = new ControlPayload("cmd-Ü", "set-mode", "");
        Assert.Equal(sent, ControlPayload.TryDecode(sent.Encode(), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void ControlReply_RoundTrips_When_Failed()
    {
        var sent = new ControlReplyPayload("cmd-8", false, "no such mode");
        Assert.Equal(sent, ControlReplyPayload.TryDecode(sent.Encode(), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void BodyStatus_RoundTrips_When_Operating()
    {
        var sent = new BodyStatusPayload(true, true, "wash");
        Assert.Equal(sent, BodyStatusPayload.TryDecode(sent.Encode(), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void OtaNotice_RoundTrips_When_ItNamesEveryChip()
    {
        var sent = new OtaNoticePayload(4097, OtaNoticeKind.Chips,
            [new NoticeImage(0x13, new FirmwareVersion(1, 1, 0)), new NoticeImage(0x12, new FirmwareVersion(1, 1, 0))]);
        var back = OtaNoticePayload.TryDecode(sent.Encode(), out var error);
        Assert.Null(error);
        Assert.Equal(sent.NoticeId, back!.NoticeId);
        Assert.Equal(sent.Kind, back.Kind);
        Assert.Equal(sent.Images, back.Images);
    }

    [Fact]
    public void OtaNotice_IsNotEncoded_When_ItNamesNoImage() =>
        Assert.Throws<ArgumentException>(() => new OtaNoticePayload(1, OtaNoticeKind.Module, []).Encode());

    [Fact]
    public void Control_IsNotEncoded_When_TheArgumentDoesNotFit() =>
        Assert.Throws<ArgumentException>(() => new ControlPayload("c", "set-mode", new string('x', ControlPayload.MaxArgumentBytes + 1)).Encode());

    [Theory]
    [InlineData("00", "command id length 0 is outside 1..64")]
    [InlineData("016100", "name length 0 is outside 1..32")]
    [InlineData("016101620000", "CONTROL: 1 unexpected trailing byte(s)")]
    public void Control_IsRefusedNamingTheField_When_Malformed(string hex, string expected)
    {
        Assert.Null(ControlPayload.TryDecode(Convert.FromHexString(hex), out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("040302010100", "count 0 is outside 1..16")]
    [InlineData("04030201010113010100", "payload too short for image 0 version")]
    [InlineData("0403020101011301010000ff", "OTA_NOTICE: 1 unexpected trailing byte(s)")]
    public void OtaNotice_IsRefusedNamingTheField_When_Malformed(string hex, string expected)
    {
        Assert.Null(OtaNoticePayload.TryDecode(Convert.FromHexString(hex), out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void OtaAnswer_KeepsAnUnknownValue_When_Decoded()
    {
        var back = OtaAnswerPayload.TryDecode([4, 3, 2, 1, 7], out var error);
        Assert.Null(error);
        Assert.Equal(0x01020304u, back!.NoticeId);
        Assert.Equal((OtaAnswer)7, back.Answer);
    }
}
