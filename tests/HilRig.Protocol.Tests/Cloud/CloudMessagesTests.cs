using System.Text;
using HilRig.Protocol.Cloud;

namespace HilRig.Protocol.Tests.Cloud;

public class CloudMessagesTests
{
    [Fact]
    public void A_campaign_instruction_survives_json_with_its_order_and_images()
    {
        var sent = new CampaignInstruction(7, [0x13, 0x12], [
            new CampaignImage(0x13, "1.1.0", "http://127.0.0.1:1/firmware/chip-13-v1.1.0.hrim", new string('a', 64), 13055),
            new CampaignImage(0x12, "1.1.0", "http://127.0.0.1:1/firmware/chip-12-v1.1.0.hrim", new string('b', 64), 12000),
        ]);
        var back = CloudJson.TryDecode<CampaignInstruction>(CloudJson.Encode(sent), out var error);
        Assert.Null(error);
        Assert.NotNull(back);
        Assert.Equal(sent.CampaignId, back.CampaignId);
        Assert.Equal(sent.Order, back.Order);
        Assert.Equal(sent.Images, back.Images);
    }

    [Fact]
    public void Events_leave_out_what_they_do_not_carry()
    {
        var json = Encoding.UTF8.GetString(CloudJson.Encode(new DeviceEvent("ota-ignored") { Detail = "from vendor acme" }));
        Assert.Equal("""{"event":"ota-ignored","detail":"from vendor acme"}""", json);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    public void Garbage_is_refused_with_a_reason_not_an_exception(string text)
    {
        var value = CloudJson.TryDecode<OtaInstruction>(Encoding.UTF8.GetBytes(text), out var error);
        Assert.Null(value);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_device_acl_names_only_its_own_topics()
    {
        var topics = CloudTopics.VendorDevicePublish("dev-1").Concat(CloudTopics.VendorDeviceSubscribe("dev-1"))
            .Concat(CloudTopics.OtaDevicePublish("dev-1")).Concat(CloudTopics.OtaDeviceSubscribe("dev-1")).ToList();
        Assert.Equal(9, topics.Distinct().Count());
        Assert.All(topics, t => Assert.Equal("dev-1", t.Split('/')[1]));
    }
}
