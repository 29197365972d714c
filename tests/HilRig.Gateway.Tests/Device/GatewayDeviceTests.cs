using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using MQTTnet;

namespace HilRig.Gateway.Tests.Device;

/// <summary>The device's side of an offline instruction, over real loopback MQTT.</summary>
public sealed class GatewayDeviceTests
{
    [Fact]
    public async Task OfflineInstruction_FinishesInFlightThenMovesAndRunsQueuedOnce_When_NodeDrains()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10 }, new TcpLoopbackTransport(), log.Sink, token);
        var held = new HeldCommands();
        var ledger = new CommandLedger();
        await using var device = cluster.CreateDevice(new GatewayDeviceOptions("dev-a", "gw-1"), held.Executor, ledger);
        var switched = new TaskCompletionSource<(string From, string To)>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Switched += (from, to) => switched.TrySetResult((from, to));
        await device.StartAsync(token);
        var old = cluster.FindNode(device.NodeId!)!;
        await log.WaitForAsync("dev-a ready on gw-1.1");

        // A command in flight when the node drains.
        var inFlight = await cluster.Dispatcher.SubmitAsync("dev-a", "block", null, token);
        await held.Started(inFlight);
        var fresh = await cluster.StartNodeAsync("gw-1", "2.0.0", 10, token);
        cluster.Bindings.Bind("gw-1", fresh);
        await old.BeginDrainAsync("upgrade");
        cluster.Bindings.NotifyChanged();
        Assert.Equal(1, await old.SendOfflineBatchAsync(token));
        await log.WaitForAsync("dev-a told to leave gw-1.1");

        // New commands while draining wait: one through the dispatcher, one straight down the old channel.
        var queued = await cluster.Dispatcher.SubmitAsync("dev-a", "ping", null, token);
        Assert.Null(cluster.Dispatcher.RouteOf("dev-a"));
        Assert.True(await old.TrySendCommandAsync("dev-a", new("direct-1", "set-mode", "eco"), token));
        Assert.True(device.IsSwitching);
        Assert.Equal("gw-1.1", device.NodeId);
        Assert.True(old.IsConnected("dev-a"));
        Assert.False(held.HasStarted(queued));
        Assert.False(held.HasStarted("direct-1"));

        held.Release();
        var first = await cluster.Dispatcher.WhenRepliedAsync(inFlight, token).Within();
        var second = await cluster.Dispatcher.WhenRepliedAsync(queued, token).Within();
        await held.Started("direct-1");
        Assert.Equal(("gw-1.1", fresh.NodeId), await switched.Task.Within());

        Assert.True(first.Ok);
        Assert.True(second.Ok);
        Assert.Equal(fresh.NodeId, device.NodeId);
        // In-flight reply up the old node; the queued ones up the new node.
        Assert.Equal(1, old.UplinkMessages);
        await log.WaitForAsync("unknown command 'direct-1'"); // its reply reached the backend, which never sent it
        Assert.Equal(2, fresh.UplinkMessages);
        // Old channel closed last, and cleanly.
        await log.WaitForAsync("dev-a left gw-1.1 (clean)");
        Assert.True(log.IndexOf($"dev-a ready on {fresh.NodeId}") < log.IndexOf("dev-a left gw-1.1"));
        Assert.Equal(0, old.Connections);
        Assert.Equal(3, ledger.Executions);
        Assert.Equal(0, ledger.Duplicated);
    }

    [Fact]
    public async Task RepeatedCommandId_IsAnsweredAgainNotRun_When_ItArrivesTwice()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10 }, new TcpLoopbackTransport(), log.Sink, token);
        var ledger = new CommandLedger();
        await using var device = cluster.CreateDevice(new GatewayDeviceOptions("dev-a", "gw-1"), ledger: ledger);
        await device.StartAsync(token);
        await log.WaitForAsync("dev-a ready on gw-1.1");
        var id = await cluster.Dispatcher.SubmitAsync("dev-a", "ping", null, token);
        await cluster.Dispatcher.WhenRepliedAsync(id, token).Within();
        var node = cluster.FindNode("gw-1.1")!;

        Assert.True(await node.TrySendCommandAsync("dev-a", new(id, "ping"), token));
        await log.WaitForAsync($"second reply from dev-a via gw-1.1 for {id}");

        Assert.Equal(1, ledger.Executions);
        Assert.Equal(1, cluster.Dispatcher.DuplicateReplies);
    }

    [Fact]
    public async Task KeptReply_GoesOutOnce_When_TheBackendResendsItsCommandOnTheNextNode()
    {
        // The rollback scenario's race (CI, 2026-12-05): the device's reply had no channel, so it waited in the outbox;
        // on the next node the dispatcher resent the command, and the device answered both from the outbox and from its cache.
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10 }, new TcpLoopbackTransport(), log.Sink, token);
        var held = new HeldCommands();
        var ledger = new CommandLedger();
        await using var device = cluster.CreateDevice(new GatewayDeviceOptions("dev-a", "gw-1"), held.Executor, ledger);
        await device.StartAsync(token);
        await log.WaitForAsync("dev-a ready on gw-1.1");
        var id = await cluster.Dispatcher.SubmitAsync("dev-a", "block", null, token);
        await held.Started(id);

        // The node goes away under the running command: its reply finds no channel.
        await cluster.FindNode("gw-1.1")!.ShutAsync();
        await log.WaitForAsync("dev-a left gw-1.1");
        held.Release();
        await log.WaitForAsync($"no channel for the reply to {id}");

        var fresh = await cluster.StartNodeAsync("gw-1", "1.0.0", 10, token);
        cluster.Bindings.Bind("gw-1", fresh);
        cluster.Bindings.NotifyChanged();
        var reply = await cluster.Dispatcher.WhenRepliedAsync(id, token).Within();
        // A later command's round trip: a second copy of the first reply would have been sent before it.
        var later = await cluster.Dispatcher.SendAsync("dev-a", "ping", null, token).Within();

        Assert.True(reply.Ok);
        Assert.True(later.Ok);
        Assert.Equal(1, cluster.Dispatcher.Resent);
        Assert.Equal(0, cluster.Dispatcher.DuplicateReplies);
        Assert.Equal(2, fresh.UplinkMessages); // the kept reply and the later one, both up the new node's one connection
        Assert.Equal(2, ledger.Executions);
    }

    [Fact]
    public async Task Garbage_IsLoggedOnceAndIgnored_When_DevicePublishesNonsenseOrAnUnknownDeviceConnects()
    {
        var token = TestContext.Current.CancellationToken;
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions { Capacity = 10, IsKnownDevice = id => id.StartsWith("dev-", StringComparison.Ordinal) },
            new TcpLoopbackTransport(), log.Sink, token);
        var node = cluster.FindNode("gw-1.1")!;
        using var rogue = cluster.Transport.CreateClient();
        var options = new MQTTnet.MqttClientOptionsBuilder().WithClientId("dev-rogue");
        Assert.True(cluster.Transport.TryTarget(options, node.Address));
        await rogue.ConnectAsync(options.Build(), token);

        await rogue.PublishStringAsync("gw/dev-rogue/reply", "{not json", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: token);
        await rogue.PublishStringAsync("gw/dev-other/reply", "{}", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: token);
        using var stranger = cluster.Transport.CreateClient();
        var strangerOptions = new MQTTnet.MqttClientOptionsBuilder().WithClientId("intruder");
        cluster.Transport.TryTarget(strangerOptions, node.Address);
        var refused = await stranger.ConnectAsync(strangerOptions.Build(), token);

        Assert.Single(log.Texts, l => l.Contains("ignored an undecodable reply from dev-rogue", StringComparison.Ordinal));
        Assert.Single(log.Texts, l => l.Contains("dropped a publish of dev-rogue to 'gw/dev-other/reply'", StringComparison.Ordinal));
        Assert.Single(log.Texts, l => l.Contains("refused unknown device 'intruder'", StringComparison.Ordinal));
        Assert.True(node.IsRunning);
        Assert.True(rogue.IsConnected);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refused.ResultCode);
    }
}
