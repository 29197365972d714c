using Microsoft.AspNetCore.Http.Features;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HilRig.Servers.TargetOta.Http;

/// <summary>
/// Kestrel on 127.0.0.1 (tests may pick another address) with the routes a caller maps, plain HTTP or, given a
/// certificate, HTTPS only; it can stop and start again on the same port (the "refuse connections" fault). The bound
/// port comes from IServerAddressesFeature.
/// </summary>
internal sealed class KestrelHost(Action<WebApplication> mapRoutes, IPAddress listenAddress, X509Certificate2? certificate = null) : IAsyncDisposable
{
    /// <summary>How long a stop waits for requests in flight; a stopped server must stop promptly, not drain downloads.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;

    public int Port { get; private set; }

    public bool IsRunning => _app is not null;

    /// <summary>"https" with a certificate, else "http".</summary>
    public string Scheme => certificate is null ? "http" : "https";

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(listenAddress, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            }));
            builder.Services.AddRoutingCore();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            var app = builder.Build();
            mapRoutes(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            Port = new Uri(address).Port;
            _app = app;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is not { } app)
            {
                return;
            }
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lifecycle.Dispose();
    }
}
