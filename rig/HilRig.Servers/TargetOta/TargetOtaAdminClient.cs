using System.Net;
using System.Net.Http.Headers;
using HilRig.Protocol.Cloud;

namespace HilRig.Servers.TargetOta;

/// <summary>
/// A typed client of the target server's admin API (docs/cloud.md §2.6), for the rig's steps: it sends the server's
/// admin secret with every call (<see cref="TargetOtaServer.CreateAdminClient"/> makes one). A refused request throws <see cref="TargetOtaRequestException"/> with the status and the server's one-line reason.
/// </summary>
public sealed class TargetOtaAdminClient : IDisposable
{
    private readonly HttpClient _http;

    // No proxy: the rig talks to loopback only, whatever the environment says.
    /// <summary>A client of the server at <paramref name="baseUri"/> (http://127.0.0.1:{port}/) holding its <paramref name="adminSecret"/>.</summary>
    public TargetOtaAdminClient(Uri baseUri, string adminSecret)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUri };
        _http.DefaultRequestHeaders.Add(Http.AdminGuard.SecretHeader, adminSecret);
    }

    /// <summary>POST /admin/firmware: publishes, for a model, an image the rig gave the server (<see cref="TargetOtaServer.Images"/>), by name.</summary>
    public Task<CampaignImage> PublishFirmwareAsync(byte modelId, string version, string imageName, CancellationToken cancellationToken) =>
        SendAsync<CampaignImage>(HttpMethod.Post, "admin/firmware", new PublishFirmwareRequest(modelId, version, imageName), cancellationToken);

    /// <summary>PUT /admin/products/{product}/order: sets a product's chip upgrade order.</summary>
    public Task SetProductOrderAsync(string product, IReadOnlyList<byte> order, CancellationToken cancellationToken) =>
        SendAsync<ProductOrderRequest>(HttpMethod.Put, $"admin/products/{Uri.EscapeDataString(product)}/order", new ProductOrderRequest(order), cancellationToken);

    /// <summary>
    /// POST /admin/devices/{device}/campaign: starts a chip campaign in its prepare phase (the server plans and sends
    /// the campaign when the device answers "prepared"); returns its id.
    /// </summary>
    public Task<CampaignStarted> StartCampaignAsync(string deviceId, CancellationToken cancellationToken) =>
        SendAsync<CampaignStarted>(HttpMethod.Post, $"admin/devices/{Uri.EscapeDataString(deviceId)}/campaign", null, cancellationToken);

    /// <summary>
    /// POST /admin/devices/{device}/campaign/retry: sends the device's latest campaign again, resuming at the chip it failed
    /// on (docs/cloud.md §2.3, "Retry"); returns its id (the same).
    /// </summary>
    public Task<CampaignStarted> RetryCampaignAsync(string deviceId, CancellationToken cancellationToken) =>
        SendAsync<CampaignStarted>(HttpMethod.Post, $"admin/devices/{Uri.EscapeDataString(deviceId)}/campaign/retry", null, cancellationToken);

    /// <summary>GET /admin/devices/{device}: what the server knows of a device, or null when it never reported.</summary>
    public async Task<DeviceView?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync<DeviceView>(HttpMethod.Get, $"admin/devices/{Uri.EscapeDataString(deviceId)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (TargetOtaRequestException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(CloudJson.Encode(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var reason = CloudJson.TryDecode<AdminError>(bytes, out _)?.Error ?? response.ReasonPhrase;
            throw new TargetOtaRequestException((int)response.StatusCode, $"{method} /{path} answered {(int)response.StatusCode}: {reason}");
        }
        return CloudJson.TryDecode<T>(bytes, out var error)
            ?? throw new InvalidDataException($"{method} /{path} answered 200 with a body that is not a {typeof(T).Name}: {error}");
    }
}
