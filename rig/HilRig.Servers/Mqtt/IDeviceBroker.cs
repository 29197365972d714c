namespace HilRig.Servers.Mqtt;

/// <summary>A message a client published on a broker, after the broker's ACL let it through.</summary>
/// <param name="Topic">The topic it was published to.</param>
/// <param name="Payload">The payload bytes.</param>
/// <param name="SenderClientId">The publisher's client id, when the broker tells (an external broker may not).</param>
public sealed record BrokerMessage(string Topic, byte[] Payload, string? SenderClientId);

/// <summary>
/// What an emulated server needs from the MQTT broker its devices connect to: where devices connect, publishing
/// as the server's backend, and the messages clients publish. <see cref="MqttBrokerHost"/> is the embedded
/// implementation; a broker outside the process (mosquitto, for fleet-size runs) would implement it with an
/// MQTT client logged in as the backend user.
/// </summary>
public interface IDeviceBroker
{
    /// <summary>Host name or address devices connect to.</summary>
    string Host { get; }

    /// <summary>TCP port devices connect to.</summary>
    int Port { get; }

    /// <summary>The broker's certificate when it speaks MQTT over TLS only (clients check it against the bench CA); null for plain MQTT.</summary>
    Tls.ServerCertificate? Tls => null;

    /// <summary>Publishes as the server's backend (QoS 1, not retained). Throws when the broker cannot take it.</summary>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="handler"/> for every client message whose topic matches <paramref name="topicFilter"/>
    /// (MQTT wildcards allowed), one message at a time in the order the broker took them.
    /// </summary>
    void AddHandler(string topicFilter, Func<BrokerMessage, Task> handler);
}
