using HilRig.Gateway.Cluster;
using HilRig.Gateway.Device;
using HilRig.Gateway.Tests.Support;
using HilRig.Gateway.Transport;
using HilRig.Servers.Mqtt;
using MQTTnet;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>
/// Access nodes on mosquitto processes (docs/cloud.md §5.6): connections counted from mosquitto's own log lines, commands and
/// replies through the backend client, offline instruction and move with the draining node refusing new logins, capacity
/// enforced by max_connections. Skipped, with the reason, on a machine without mosquitto.
/// </summary>
public sealed class MosquittoNodeTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "hilrig-mosquitto-nodes-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    private static void SkipWithoutMosquitto() =>
        Assert.SkipWhen(MosquittoBroker.FindBinary() is null, "mosquitto is not installed on this machine; ./setup.sh mosquitto installs it");

    private async Task<GatewayCluster> StartClusterAsync(RecordingSink log, int capacity, params string[] devices)
    {
        var token = TestContext.Current.CancellationToken;
        var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions
        {
            Capacity = capacity,
            Mosquitto = new MosquittoNodeOptions { WorkDirectory = _work },
            Gms = new GmsOptions { MonitorIntervalMs = 20, CanaryObservationMs = 20, DrainTimeoutMs = 15_000 },
        }, new TcpLoopbackTransport(), log.Sink, token);
        await cluster.RegisterDevicesAsync(devices, token);
        return cluster;
    }

    private static async Task<GatewayDevice> ConnectAsync(GatewayCluster cluster, RecordingSink log, string id, CommandExecutor? executor = null)
    {
        var device = cluster.CreateDevice(new GatewayDeviceOptions(id, "gw-1") { ReconnectBackoffMs = 50 }, executor);
        await device.StartAsync(TestContext.Current.CancellationToken).Within();
        await log.WaitForAsync($"{id} ready on ");
        return device;
    }

    /// <summary>A bare MQTT client straight at a node address, bypassing the master gateway.</summary>
    private static async Task<MqttClientConnectResultCode?> RawConnectAsync(string address, string user, string? password)
    {
        var uri = new Uri(address);
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer(uri.Host, uri.Port).WithClientId(user).WithCredentials(user, password)
            .WithTimeout(TimeSpan.FromSeconds(5)).Build();
        try
        {
            var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken);
            return result.ResultCode;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            return null; // the socket was closed before any CONNACK (max_connections)
        }
    }

    [Fact]
    public async Task Node_CountsConnectionsFromMosquittoLogLines_And_RefusesUnregisteredDevices()
    {
        SkipWithoutMosquitto();
        var log = new RecordingSink();
        await using var cluster = await StartClusterAsync(log, 5, "dev-a", "dev-b");
        var node = cluster.FindNode("gw-1.1")!;
        Assert.Equal("mosquitto", node.BrokerKind);
        Assert.StartsWith("mqtt://127.0.0.1:", node.Address);

        var a = await ConnectAsync(cluster, log, "dev-a");
        var b = await ConnectAsync(cluster, log, "dev-b");
        Assert.Equal(2, node.Connections);
        Assert.Equal(["dev-a", "dev-b"], node.ConnectedDevices.Order(StringComparer.Ordinal));

        await a.StopAsync();
        await log.WaitForAsync("dev-a left gw-1.1 (clean); 1 connected");
        Assert.Equal(1, node.Connections);
        Assert.Equal(0, node.UncleanDisconnects);
        Assert.Equal(2, node.PeakConnections);

        // Not registered, or the wrong password: mosquitto refuses the login, and the node counts the refusal from its log line.
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RawConnectAsync(node.Address, "stranger", "x"));
        await log.WaitForAsync("gw-1.1 refused a connection: not authorised by mosquitto");
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RawConnectAsync(node.Address, "dev-a", "wrong"));
        Assert.Equal(1, node.Connections);
        await b.DisposeAsync();
        await a.DisposeAsync();
    }

    [Fact]
    public async Task Command_IsDeliveredAndAnswered_ThroughTheBackendClient()
    {
        SkipWithoutMosquitto();
        var log = new RecordingSink();
        await using var cluster = await StartClusterAsync(log, 5, "dev-a");
        await using var device = await ConnectAsync(cluster, log, "dev-a");
        var node = cluster.FindNode("gw-1.1")!;
        var token = TestContext.Current.CancellationToken;

        var id = await cluster.Dispatcher.SubmitAsync("dev-a", "ping", null, token);
        var reply = await cluster.Dispatcher.WhenRepliedAsync(id, token).Within();

        Assert.True(reply.Ok);
        Assert.Equal("pong", reply.Result);
        Assert.Equal(1, node.UplinkMessages);
        Assert.Equal(0, cluster.Dispatcher.Unanswered);
    }

    [Fact]
    public async Task Offline_MovesTheDeviceToTheNewNode_And_TheDrainingNodeRefusesNewLogins()
    {
        SkipWithoutMosquitto();
        var log = new RecordingSink();
        await using var cluster = await StartClusterAsync(log, 5, "dev-a", "dev-b");
        var held = new HeldCommands();
        await using var device = await ConnectAsync(cluster, log, "dev-a", held.Executor);
        var old = cluster.FindNode("gw-1.1")!;
        var token = TestContext.Current.CancellationToken;
        var busy = await cluster.Dispatcher.SubmitAsync("dev-a", "block", null, token);
        await held.Started(busy);

        // Which node the device was on when it closed its old channel: the new one (connected and subscribed) first.
        var currentWhenOldClosed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.OldChannelClosed += _ => currentWhenOldClosed.TrySetResult(device.NodeId);
        var upgrade = cluster.Gms.UpgradeLogicalNodeAsync("gw-1", "2.0.0", token);
        await log.WaitForAsync("dev-a told to leave gw-1.1");
        // Draining: a registered device that is not connected cannot log in to the old node any more (its login is disabled).
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RawConnectAsync(old.Address, "dev-b", cluster.Credentials.TryGetSecret("dev-b", out var secret) ? secret : ""));
        Assert.Equal(1, old.Connections);

        held.Release();
        var result = await upgrade.Within();

        Assert.Equal(LogicalNodeState.Upgraded, result.State);
        Assert.Equal("gw-1.2", device.NodeId);
        Assert.True((await cluster.Dispatcher.WhenRepliedAsync(busy, token).Within()).Ok);
        Assert.False(old.IsRunning);
        Assert.Equal(0, old.Connections);
        // The device was on gw-1.2 (its SUBACK came back) before it closed gw-1.1. The two nodes' own lines cannot show
        // that order here: each comes from its own mosquitto's log, read on its own (one run in about twelve logged the
        // old node's "left" first); the embedded nodes, in one process, are checked for it in GatewayDeviceTests.
        Assert.Equal("gw-1.2", await currentWhenOldClosed.Task.Within());
        await log.WaitForAsync("dev-a ready on gw-1.2");
        await log.WaitForAsync("dev-a left gw-1.1 (clean)");
        var fresh = cluster.FindNode("gw-1.2")!;
        Assert.Equal(1, fresh.Connections);
        Assert.Equal("mosquitto", fresh.BrokerKind);
    }

    [Fact]
    public async Task Capacity_IsEnforcedByMaxConnections_CountingTheBackend()
    {
        SkipWithoutMosquitto();
        var log = new RecordingSink();
        await using var cluster = await StartClusterAsync(log, 2, "dev-a", "dev-b", "dev-c");
        var node = cluster.FindNode("gw-1.1")!;
        await using var a = await ConnectAsync(cluster, log, "dev-a");
        await using var b = await ConnectAsync(cluster, log, "dev-b");
        Assert.Equal(2, node.Connections);

        // The master gateway would not send a third device here (locked); straight at the node, mosquitto closes the socket.
        Assert.True(cluster.Master.IsLocked(node));
        cluster.Credentials.TryGetSecret("dev-c", out var secret);
        Assert.Null(await RawConnectAsync(node.Address, "dev-c", secret));
        await log.WaitForAsync("gw-1.1 refused a connection: mosquitto's max_connections (3: capacity + the backend) reached");
        Assert.Equal(2, node.Connections);
        Assert.True(node.Refused >= 1);
    }

    [Fact]
    public async Task Shut_KillsMosquitto_And_ListensOnLoopbackOnly()
    {
        SkipWithoutMosquitto();
        var log = new RecordingSink();
        var cluster = await StartClusterAsync(log, 2, "dev-a");
        var node = cluster.FindNode("gw-1.1")!;
        var device = await ConnectAsync(cluster, log, "dev-a");
        var config = await File.ReadAllTextAsync(Path.Combine(_work, "gw-1.1", "mosquitto.conf"), TestContext.Current.CancellationToken);
        var lines = config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.StartsWith("listener ", lines[0]);
        Assert.EndsWith(" 127.0.0.1", lines[0]);
        Assert.Single(lines, l => l.StartsWith("listener ", StringComparison.Ordinal));

        await cluster.DisposeAsync();
        Assert.False(node.IsRunning);
        Assert.Equal(0, node.Connections);
        await log.WaitForAsync("dev-a left gw-1.1 (not clean)");
        var port = new Uri(node.Address).Port;
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).AsTask());
        await device.DisposeAsync();
    }

    [Fact]
    public async Task RegisterDevices_RefusesIdsThatCannotBeTopicLevels()
    {
        var log = new RecordingSink();
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions(), new InMemoryTransport(), log.Sink, TestContext.Current.CancellationToken);
        foreach (var bad in new[] { "", "a/b", "x+", "#", "backend", new string('d', 65) })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => cluster.RegisterDevicesAsync([bad], TestContext.Current.CancellationToken));
        }
        await cluster.RegisterDevicesAsync(["dev-1"], TestContext.Current.CancellationToken);
        Assert.True(cluster.Credentials.Contains("dev-1"));
    }

    [Fact]
    public async Task EmbeddedNode_ChecksTheRegisteredPassword_LikeMosquitto()
    {
        var log = new RecordingSink();
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await GatewayCluster.StartAsync(new GatewayClusterOptions(), new TcpLoopbackTransport(), log.Sink, token);
        await cluster.RegisterDevicesAsync(["dev-a"], token);
        var node = cluster.FindNode("gw-1.1")!;
        Assert.Equal("embedded", node.BrokerKind);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RawConnectAsync(node.Address, "dev-a", "wrong"));
        await using var device = await ConnectAsync(cluster, log, "dev-a");
        Assert.Equal(1, node.Connections);
    }

    [Fact]
    public async Task MosquittoNodes_NeedLoopbackTcp()
    {
        var options = new GatewayClusterOptions { Mosquitto = new MosquittoNodeOptions { WorkDirectory = _work } };
        await Assert.ThrowsAsync<ArgumentException>(() => GatewayCluster.StartAsync(options, new InMemoryTransport(), (_, _, _) => { }, TestContext.Current.CancellationToken));
    }
}
