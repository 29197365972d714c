using System.Buffers;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Mqtt;
using HilRig.Servers.Tests.Support;
using HilRig.Servers.Vendor;
using MQTTnet;

namespace HilRig.Servers.Tests.Vendor;

public sealed class VendorServerTests : IAsyncLifetime
{
    private readonly RecordingSink _sink = new();
    private VendorServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await VendorServer.StartAsync(new VendorServerOptions
        {
            ServerId = "rival",
            Devices = new DeviceRegistry().Add("dev-1", "s1"),
            WithOtaUnit = true,
        }, _sink.Sink, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static ModuleFirmware Module => new("1.0.0", "A");

    [Fact]
    public async Task SendCommand_ReturnsTheDevicesReply()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        await device.SubscribeAsync(CloudTopics.VendorControl("dev-1"));
        var answering = AnswerOneCommandAsync(device, c => new CommandReply(c.CommandId, true, c.Name == "ping" ? "pong" : "?"));

        var reply = await _server.SendCommandAsync("dev-1", "ping", null, TestTimeouts.Event, TestContext.Current.CancellationToken);

        var command = await answering;
        Assert.Equal("ping", command.Name);
        Assert.Equal(new CommandReply(command.CommandId, true, "pong"), reply);
        _sink.AssertNoErrors();
    }

    [Fact]
    public async Task SendCommand_TimesOut_NamingDeviceCommandAndServer()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        await device.SubscribeAsync(CloudTopics.VendorControl("dev-1"));

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            _server.SendCommandAsync("dev-1", "set-power", "off", TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));

        Assert.Contains("vendor server 'rival': device dev-1 did not answer command 'set-power' off", error.Message, StringComparison.Ordinal);
        Assert.Equal("set-power", CloudJson.TryDecode<ControlCommand>((await device.NextMessageAsync("the command")).Payload.ToArray(), out _)!.Name);
    }

    [Fact]
    public async Task StatusReports_AreKeptPerDevice_AndAwaitable()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        Assert.Null(_server.LatestStatus("dev-1"));
        var upgrading = _server.WaitForStatusAsync("dev-1", s => s.Activity == "chip-upgrade", "chip upgrade", TestTimeouts.Event, TestContext.Current.CancellationToken);

        await device.PublishAsync(CloudTopics.VendorStatus("dev-1"), CloudJson.Encode(new StatusReport("dev-1", 1, Module, "idle", "on")));
        await device.PublishAsync(CloudTopics.VendorStatus("dev-1"), CloudJson.Encode(new StatusReport("dev-1", 2, Module, "chip-upgrade", "on")));

        Assert.Equal(2, (await upgrading).Sequence);
        Assert.Equal(2, _server.LatestStatus("dev-1")!.Sequence);
        Assert.Equal([1L, 2L], _server.StatusReports("dev-1").Select(s => s.Sequence));
    }

    [Fact]
    public async Task WaitForStatus_TimesOut_NamingTheLastStatusSeen()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        await device.PublishAsync(CloudTopics.VendorStatus("dev-1"), CloudJson.Encode(new StatusReport("dev-1", 7, Module, "idle", "off")));
        await _server.WaitForStatusAsync("dev-1", s => s.Sequence == 7, "first", TestTimeouts.Event, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            _server.WaitForStatusAsync("dev-1", s => s.Power == "on", "power on", TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));

        Assert.Contains("no status report 'power on' from dev-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("#7 idle, power off", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GarbageOnAReplyOrStatusTopic_IsOneErrorLine_AndTheServerKeepsWorking()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        await device.SubscribeAsync(CloudTopics.VendorControl("dev-1"));

        await device.PublishAsync(CloudTopics.VendorReply("dev-1"), "{not json"u8.ToArray());
        await device.PublishAsync(CloudTopics.VendorStatus("dev-1"), "null"u8.ToArray());
        await _sink.WaitForAsync(l => l.Kind == "error" && l.Detail.StartsWith("ignored message on vendor/dev-1/status", StringComparison.Ordinal), "the status error");

        var answering = AnswerOneCommandAsync(device, c => new CommandReply(c.CommandId, true, "pong"));
        Assert.Equal("pong", (await _server.SendCommandAsync("dev-1", "ping", null, TestTimeouts.Event, TestContext.Current.CancellationToken)).Result);
        await answering;
        Assert.Equal(2, _sink.Errors.Count);
        Assert.Contains("not a CommandReply", _sink.Errors[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtaUnit_PushesItsConflictingInstruction_OnTheDevicesVendorOtaTopic()
    {
        await using var device = await DeviceClient.ConnectAsync(_server.Broker.Port, "dev-1", "s1");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await device.SubscribeAsync(CloudTopics.VendorOta("dev-1")));

        var sent = await _server.OtaUnit!.PushInstructionAsync("dev-1", "9.9.9", TestContext.Current.CancellationToken);

        var message = await device.NextMessageAsync("the vendor OTA instruction");
        Assert.Equal("vendor/dev-1/ota", message.Topic);
        var received = CloudJson.TryDecode<OtaInstruction>(message.Payload.ToArray(), out _)!;
        Assert.Equal(sent, received);
        Assert.Equal(("rival", "9.9.9"), (received.Issuer, received.Version));
        Assert.StartsWith("http://127.0.0.1:", received.Url, StringComparison.Ordinal);
    }

    private static async Task<ControlCommand> AnswerOneCommandAsync(DeviceClient device, Func<ControlCommand, CommandReply> answer)
    {
        var message = await device.NextMessageAsync("a control command");
        var command = CloudJson.TryDecode<ControlCommand>(message.Payload.ToArray(), out var error) ?? throw new InvalidDataException(error);
        await device.PublishAsync(CloudTopics.VendorReply("dev-1"), CloudJson.Encode(answer(command)));
        return command;
    }
}
