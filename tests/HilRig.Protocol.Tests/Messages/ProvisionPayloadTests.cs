using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Tests.Messages;

public class ProvisionPayloadTests
{
    [Fact]
    public void A_provision_round_trips_with_non_ascii_text()
    {
        var sent = new ProvisionPayload("Labor-Ü", "", "acme");
        var back = ProvisionPayload.TryDecode(sent.Encode(), out var error);
        Assert.Null(error);
        Assert.Equal(sent, back);
    }

    [Theory]
    [InlineData("00", "SSID length 0 is outside 1..32")]
    [InlineData("21", "SSID length 33 is outside 1..32")]
    [InlineData("0161", "payload too short for passphrase length")]
    [InlineData("016100", "payload too short for server id length")]
    [InlineData("01610000", "server id length 0 is outside 1..32")]
    [InlineData("016100016200", "PROVISION: 1 unexpected trailing byte(s)")]
    [InlineData("01ff000162", "SSID is not UTF-8")]
    public void A_malformed_provision_is_refused_with_the_field_named(string hex, string expected)
    {
        var value = ProvisionPayload.TryDecode(Convert.FromHexString(hex), out var error);
        Assert.Null(value);
        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_its_field_cannot_be_encoded()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProvisionPayload(new string('s', 33), "", "acme").Encode());
        Assert.Contains("at most 32", ex.Message, StringComparison.Ordinal);
    }
}
