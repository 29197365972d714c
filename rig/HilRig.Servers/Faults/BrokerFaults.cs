using HilRig.Servers.Mqtt;

namespace HilRig.Servers.Faults;

/// <summary>Faults of an embedded broker the rig's fault engine can fire; each is one "fault" line on the sink.</summary>
public sealed class BrokerFaults(MqttBrokerHost broker, ServerEventSink sink)
{
    /// <summary>
    /// Broker restart: stops the broker (every client is disconnected, connections are refused), waits
    /// <paramref name="downtime"/>, starts it again on the same port. Completes when it listens again.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken)
    {
        sink(broker.Name, "fault", $"broker restart: down for {downtime.TotalSeconds:0.###} s on port {broker.Port}");
        await broker.StopAsync().ConfigureAwait(false);
        try
        {
            // The downtime itself is the fault, not a wait for something to happen.
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await broker.StartAsync(CancellationToken.None).ConfigureAwait(false);
            sink(broker.Name, "fault", "broker restart: back");
        }
    }
}
