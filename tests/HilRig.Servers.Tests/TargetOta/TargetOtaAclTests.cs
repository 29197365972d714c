using HilRig.Protocol.Cloud;
using HilRig.Servers.Tests.Support;
using MQTTnet;

namespace HilRig.Servers.Tests.TargetOta;

public sealed class TargetOtaAclTests : TargetOtaTestBase
{
    [Fact]
    public async Task Device_CannotReadOrForgeAnotherDevicesOtaTraffic()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var intruder = await DeviceClient.ConnectAsync(Server.Broker.Port, "dev-2", "s2");

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await intruder.SubscribeAsync(CloudTopics.OtaInstruction("dev-1")));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await intruder.SubscribeAsync("ota/+/campaign"));
        var forged = new DeviceReport("dev-1", "kettle", new ModuleFirmware("1.0.0", "A"), "acme");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await intruder.PublishAsync(CloudTopics.OtaReport("dev-1"), CloudJson.Encode(forged)));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await intruder.PublishAsync(CloudTopics.OtaInstruction("dev-2"), "x"u8.ToArray()));

        // Its own report is handled, and the forged one never was.
        await ReportAsync(intruder, "dev-2", "2.1.0");
        Assert.Null(Server.GetDevice("dev-1"));
        Assert.Equal(4, Sink.Lines.Count(l => l.Source == "target" && l.Kind == "acl"));
    }
}
