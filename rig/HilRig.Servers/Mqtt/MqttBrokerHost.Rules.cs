using System.Buffers;
using HilRig.Servers.Internal;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace HilRig.Servers.Mqtt;

// Credentials and ACLs (docs/cloud.md §3.3), applied in MQTTnet's interception events.
public sealed partial class MqttBrokerHost
{
    private bool IsBackend(string? userName) => string.Equals(userName, _options.BackendUserName, StringComparison.Ordinal);

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var refusal = (string?)null;
        if (IsBackend(e.UserName))
        {
            if (!string.Equals(e.Password, _options.BackendPassword, StringComparison.Ordinal))
            {
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                refusal = "wrong backend password";
            }
        }
        else if (e.UserName is null || !_options.Devices.IsSecretOf(e.UserName, e.Password))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            refusal = e.UserName is null || !_options.Devices.Contains(e.UserName) ? "unknown device" : "wrong device secret";
        }
        else if (!string.Equals(e.ClientId, e.UserName, StringComparison.Ordinal))
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            refusal = "client id is not the device id";
        }
        if (refusal is not null)
        {
            _sink(Name, "connect", $"refused client '{e.ClientId}' (user '{e.UserName}'): {refusal} → CONNACK {e.ReasonCode}");
        }
        return Task.CompletedTask;
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs e)
    {
        _sink(Name, "connect", $"{e.ClientId} connected (user '{e.UserName}', MQTT {e.ProtocolVersion})");
        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        _sink(Name, "disconnect", $"{e.ClientId} disconnected ({e.DisconnectType}{(e.ReasonCode is { } code ? $", {code}" : "")})");
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        if (!IsBackend(e.UserName) && !_options.Acl.MaySubscribe(e.ClientId, filter, out var reason))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            _sink(Name, "acl", $"refused subscription: {reason}");
            return Task.CompletedTask;
        }
        _sink(Name, "subscribe", $"{e.ClientId} subscribed to {filter}");
        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == BackendSenderId)
        {
            return Task.CompletedTask; // the server's own publish, logged where it was made
        }
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (!IsBackend(e.UserName) && !_options.Acl.MayPublish(e.ClientId, topic, out var reason))
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            _sink(Name, "acl", $"dropped publish ({payload.Length} bytes): {reason}");
            return Task.CompletedTask;
        }
        _sink(Name, "mqtt", $"{e.ClientId} → {topic} ({payload.Length} bytes): {EventText.Payload(payload)}");
        _inbox.Writer.TryWrite(new BrokerMessage(topic, payload, e.ClientId));
        return Task.CompletedTask;
    }
}
