using System.Buffers;
using HilRig.Gateway.Transport;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace HilRig.Gateway.Cluster.Endpoints;

/// <summary>An MQTTnet server inside the rig's process, on loopback TCP or in-memory pipes: every CONNECT, SUBSCRIBE and PUBLISH is decided by the node before the broker acts.</summary>
internal sealed class EmbeddedEndpoint : AccessNodeEndpoint
{
    private readonly AccessNode _node;
    private readonly GatewayTransport _transport;
    private readonly MqttServerOptions _options;
    private readonly MqttServer _server;

    public EmbeddedEndpoint(AccessNode node, GatewayTransport transport)
    {
        _node = node;
        _transport = transport;
        _options = transport is TcpLoopbackTransport tcp ? tcp.ServerOptions() : InMemoryTransport.ServerOptions();
        _server = transport.CreateServer(node.NodeId, _options);
        _server.ValidatingConnectionAsync += ValidateAsync;
        _server.ClientConnectedAsync += e => _node.OnConnectedAsync(e.ClientId);
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientSubscribedTopicAsync += e => _node.OnSubscribedAsync(e.ClientId, e.TopicFilter.Topic);
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.ClientDisconnectedAsync += e => _node.OnDisconnectedAsync(e.ClientId, e.DisconnectType == MqttClientDisconnectType.Clean);
    }

    public override string Kind => "embedded";

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _server.StartAsync().ConfigureAwait(false);
        return _transport.AddressOf(_node.NodeId, _server, _options);
    }

    public override Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "" }, cancellationToken);
    }

    public override Task KickAsync(string deviceId) =>
        _server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerBusy });

    public override async Task StopAsync()
    {
        await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        _server.Dispose();
    }

    private Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        var admission = _node.Admit(e.ClientId, e.Password, authenticatedByBroker: false);
        e.ReasonCode = admission switch
        {
            Admission.Admitted => MqttConnectReasonCode.Success,
            Admission.Unknown or Admission.BadPassword => MqttConnectReasonCode.NotAuthorized,
            Admission.Full => MqttConnectReasonCode.QuotaExceeded,
            _ => MqttConnectReasonCode.ServerUnavailable,
        };
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (!_node.MaySubscribe(e.ClientId, e.TopicFilter.Topic))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }
        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId)) return; // injected by this node
        e.ProcessPublish = false; // the node consumes device traffic; nothing is relayed to other devices
        var allowed = await _node.OnPublishAsync(e.ClientId, e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()).ConfigureAwait(false);
        if (!allowed) e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
    }
}
