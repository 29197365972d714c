using System.Net;
using HilRig.Gateway.Device;
using System.Net.Http.Json;
using HilRig.Protocol.Cloud;
using HilRig.Servers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The master gateway on loopback HTTP (docs/cloud.md §5.3): <c>POST /master/address</c> with an
/// <see cref="AddressRequest"/> answers 200 with an <see cref="AddressAnswer"/> ("assigned"), 503
/// with Retry-After ("retry"), 404 (unknown device or logical node), 400 (not a request);
/// <c>POST /master/addresses</c> with a proxy's <see cref="BatchAddressRequest"/> answers 200 with a
/// <see cref="BatchAddressAnswer"/>; <c>POST /master/connect-failed</c> frees a slot.
/// </summary>
public sealed class MasterGatewayHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MasterGatewayHttpServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Where it listens: http://127.0.0.1:port/ (or the bench network's rig address).</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Serves <paramref name="master"/> on <paramref name="listen"/>: the rig's address on a bench network, with the
    /// firmware's fixed port when it has one; null: 127.0.0.1 with a port the OS picks.
    /// </summary>
    public static async Task<MasterGatewayHttpServer> StartAsync(MasterGateway master, ServerEventSink sink, CancellationToken cancellationToken, IPEndPoint? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen ?? new IPEndPoint(IPAddress.Loopback, 0)));
        var app = builder.Build();
        app.MapPost("/master/address", async (HttpRequest http, CancellationToken token) =>
        {
            var request = await ReadAsync<AddressRequest>(http, sink, token).ConfigureAwait(false);
            if (request is null || string.IsNullOrEmpty(request.DeviceId) || string.IsNullOrEmpty(request.LogicalNode))
            {
                return Results.BadRequest(new AddressAnswer("bad-request"));
            }
            var answer = await master.RequestAddressAsync(request, token).ConfigureAwait(false);
            return answer.Status switch
            {
                "assigned" => Results.Json(answer, CloudJson.Options),
                "retry" => new RetryResult(answer),
                _ => Results.Json(answer, CloudJson.Options, statusCode: StatusCodes.Status404NotFound),
            };
        });
        app.MapPost("/master/addresses", async (HttpRequest http, CancellationToken token) =>
        {
            var request = await ReadAsync<BatchAddressRequest>(http, sink, token).ConfigureAwait(false);
            if (request is null || string.IsNullOrEmpty(request.ProxyDeviceId) || string.IsNullOrEmpty(request.LogicalNode) || request.DeviceIds is null)
            {
                return Results.BadRequest(new BatchAddressAnswer("bad-request", []));
            }
            var answer = await master.RequestAddressesAsync(request, token).ConfigureAwait(false);
            return answer.Status switch
            {
                "answered" => Results.Json(answer, CloudJson.Options),
                "bad-request" => Results.Json(answer, CloudJson.Options, statusCode: StatusCodes.Status400BadRequest),
                _ => Results.Json(answer, CloudJson.Options, statusCode: StatusCodes.Status404NotFound),
            };
        });
        app.MapPost("/master/connect-failed", async (HttpRequest http, CancellationToken token) =>
        {
            var report = await ReadAsync<ConnectFailedReport>(http, sink, token).ConfigureAwait(false);
            if (report is null) return Results.BadRequest();
            await master.ReportConnectFailedAsync(report.DeviceId, report.NodeId, token).ConfigureAwait(false);
            return Results.NoContent();
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() : null;
        var baseAddress = new Uri((address ?? throw new InvalidOperationException("the master gateway's HTTP server reported no address")) + "/");
        sink("master-gateway", "start", $"master gateway HTTP at {baseAddress}");
        return new MasterGatewayHttpServer(app, baseAddress);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<T?> ReadAsync<T>(HttpRequest http, ServerEventSink sink, CancellationToken token) where T : class
    {
        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, token).ConfigureAwait(false);
        var value = CloudJson.TryDecode<T>(buffer.ToArray(), out var error);
        if (value is null) sink("master-gateway", "garbage", $"{http.Path}: not a {typeof(T).Name}: {error}");
        return value;
    }

    private sealed class RetryResult(AddressAnswer answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (answer.RetryAfterMs ?? 1000) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return httpContext.Response.WriteAsJsonAsync(answer, CloudJson.Options);
        }
    }
}
