using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Device;

/// <summary>How a device talks to the device master gateway: in-process (the cluster's MasterGateway itself) or over loopback HTTP (<see cref="MasterGatewayHttpClient"/>).</summary>
public interface IMasterGatewayClient
{
    /// <summary>Asks for an access node of the device's logical node; waits for room up to the master's limit, then answers "retry".</summary>
    Task<AddressAnswer> RequestAddressAsync(AddressRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A proxy device asks for many devices of its logical node at once; one entry per device comes back, in the request's
    /// order, under the batch capacity rule (the cluster's BatchAllocation, docs/cloud.md §5.3). Never waits: devices without room get "retry".
    /// </summary>
    Task<BatchAddressAnswer> RequestAddressesAsync(BatchAddressRequest request, CancellationToken cancellationToken);

    /// <summary>Tells the master the device could not connect to the node it was given, so the slot is freed at once.</summary>
    Task ReportConnectFailedAsync(string deviceId, string nodeId, CancellationToken cancellationToken);
}
