using System.Net.Http.Json;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Device;

/// <summary>Device → master gateway: the node it was given refused or failed the connection.</summary>
public sealed record ConnectFailedReport(string DeviceId, string NodeId);

/// <summary>A device's way to the master gateway over HTTP (the emulated WiFi module uses this one).</summary>
public sealed class MasterGatewayHttpClient(HttpClient http) : IMasterGatewayClient
{
    /// <inheritdoc />
    public async Task<AddressAnswer> RequestAddressAsync(AddressRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("master/address", request, CloudJson.Options, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadFromJsonAsync<AddressAnswer>(CloudJson.Options, cancellationToken).ConfigureAwait(false);
        return answer ?? new AddressAnswer("retry", RetryAfterMs: 1000);
    }

    /// <inheritdoc />
    public async Task<BatchAddressAnswer> RequestAddressesAsync(BatchAddressRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("master/addresses", request, CloudJson.Options, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadFromJsonAsync<BatchAddressAnswer>(CloudJson.Options, cancellationToken).ConfigureAwait(false);
        return answer ?? new BatchAddressAnswer("bad-request", []);
    }

    /// <inheritdoc />
    public async Task ReportConnectFailedAsync(string deviceId, string nodeId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("master/connect-failed", new ConnectFailedReport(deviceId, nodeId), CloudJson.Options, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
