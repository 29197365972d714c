using System.Buffers;
using System.Text;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Mqtt;
using HilRig.Servers.Tests.Support;
using HilRig.Servers.Vendor;
using MQTTnet;

namespace HilRig.Servers.Tests.Mqtt;

/// <summary>A vendor server on a mosquitto the rig starts: same credentials, ACLs and command flow as on the embedded broker.</summary>
public sealed class MosquittoBrokerTests
{
    private const string SkipReason = "mosquitto is not installed on this machine; ./setup.sh mosquitto installs it";

    private static async Task<(MosquittoBroker Broker, VendorServer Vendor, RecordingSink Sink)> StartAsync()
    {
        Assert.SkipWhen(MosquittoBroker.FindBinary() is null, SkipReason);
        var sink = new RecordingSink();
        var devices = new DeviceRegistry().Add("dev-a", "secret-a").Add("dev-b", "secret-b");
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
        {
            Name = "vendor:acme",
            Devices = devices,
            Acl = DeviceTopicAcl.Vendor,
            WorkDirectory = Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N")),
        }, sink.Sink, TestContext.Current.CancellationToken);
        return (broker, new VendorServer("acme", broker, sink.Sink), sink);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_and_the_right_one_accepted()
    {
        var (broker, vendor, _) = await StartAsync();
        await using (broker)
        await using (vendor)
        {
            var (refused, code) = await DeviceClient.TryConnectAsync(broker.Port, "dev-a", "dev-a", "guess");
            await refused.DisposeAsync();
            // mosquitto 2.0 answers a wrong password "not authorized"; MQTTnet's broker "bad user name or password".
            Assert.Contains(code, new[] { MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized });
            await using var device = await DeviceClient.ConnectAsync(broker.Port, "dev-a", "secret-a");
        }
    }

    [Fact]
    public async Task A_device_reads_only_its_own_control_topic_and_cannot_steer_another()
    {
        var (broker, vendor, _) = await StartAsync();
        await using (broker)
        await using (vendor)
        {
            await using var a = await DeviceClient.ConnectAsync(broker.Port, "dev-a", "secret-a");
            await using var b = await DeviceClient.ConnectAsync(broker.Port, "dev-b", "secret-b");
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await b.SubscribeAsync(CloudTopics.VendorControl("dev-b")));
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await a.SubscribeAsync(CloudTopics.VendorControl("dev-a")));
            // mosquitto 2.0 may grant a subscription outside the ACL, but never delivers on it (docs/cloud.md §3.3).
            await a.SubscribeAsync(CloudTopics.VendorControl("dev-b"));

            // a's forged command for b must not reach b; the backend's own command, sent after it, must.
            await a.PublishAsync(CloudTopics.VendorControl("dev-b"), CloudJson.Encode(new ControlCommand("forged", "set-power", "off")));
            var reply = vendor.SendCommandAsync("dev-b", "ping", null, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            var first = await b.NextMessageAsync("the backend's ping");
            var command = CloudJson.TryDecode<ControlCommand>(first.Payload.ToArray(), out _);
            Assert.Equal("ping", command?.Name);
            await b.PublishAsync(CloudTopics.VendorReply("dev-b"), CloudJson.Encode(new CommandReply(command!.CommandId, true, "pong")));
            Assert.Equal("pong", (await reply).Result);

            // a saw neither its own forgery nor b's ping: the first thing it receives is a command on its own topic.
            var own = vendor.SendCommandAsync("dev-a", "ping", null, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            var firstForA = await a.NextMessageAsync("a command on a's own control topic");
            Assert.Equal(CloudTopics.VendorControl("dev-a"), firstForA.Topic);
            await a.PublishAsync(CloudTopics.VendorReply("dev-a"), CloudJson.Encode(new CommandReply(CloudJson.TryDecode<ControlCommand>(firstForA.Payload.ToArray(), out _)!.CommandId, true, "pong")));
            await own;
        }
    }
}
