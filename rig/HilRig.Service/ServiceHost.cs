using System.Net;
using System.Reflection;
using HilRig.Service.Api;
using HilRig.Service.Runs;
using HilRig.Service.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HilRig.Service;

/// <summary>
/// `hilrig serve`: a hosted service (Microsoft.Extensions.Hosting, with systemd integration: Type=notify
/// readiness and journal-friendly logs when started by systemd) serving the REST API and the live page.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceHost(WebApplication app) => _app = app;

    /// <summary>The address the service listens on (the real port when 0 was asked).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The run queue.</summary>
    public RunManager Runs => _app.Services.GetRequiredService<RunManager>();

    /// <summary>Builds and starts the service.</summary>
    /// <exception cref="ArgumentException">The options cannot be served (see <see cref="ServeOptions.Problem"/>).</exception>
    public static async Task<ServiceHost> StartAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.RepositoryRoot });
        builder.Host.UseSystemd();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.Address, options.Port);
            // The API takes run requests of a few hundred bytes and a login: nothing needs more.
            k.Limits.MaxRequestBodySize = RunRequestReader.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RunManager>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunManager>());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        var app = builder.Build();
        var sessions = options.Token is null ? null : new Sessions(options.Token.Trim());
        var gate = new AccessGate(options, sessions);
        // First: a failure anywhere answers a JSON 500 that leaks nothing (the details go to the log).
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => AccessGate.ErrorAsync(context, StatusCodes.Status500InternalServerError, "the service failed on this request; its log says why"),
        });
        // Then the one gate in front of everything (page, API, artifacts).
        app.Use(gate.InvokeAsync);
        // A refusal the framework makes without a body (no such path, wrong method, a query that does not bind) still says what was wrong, in JSON.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var what = $"{http.Request.Method} {RunRequestReader.Printable(http.Request.Path.Value ?? "/")}";
            var message = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"no such path: {what} (the API is under /api/runs; see the service README)",
                StatusCodes.Status405MethodNotAllowed => $"method not allowed: {what}",
                StatusCodes.Status400BadRequest => $"bad request: {what} (a parameter in the path or query has the wrong form)",
                StatusCodes.Status413PayloadTooLarge => $"body: larger than {RunRequestReader.MaxBodyBytes} bytes",
                _ => $"refused: {what}",
            };
            await AccessGate.ErrorAsync(http, http.Response.StatusCode, message).ConfigureAwait(false);
        });
        var page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        RunApi.MapLogin(app, sessions);
        RunApi.Map(app, app.Services.GetRequiredService<RunManager>());
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var host = new ServiceHost(app);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        host.Address = bound is null ? new Uri($"http://{options.Address}:{options.Port}/") : new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal) + "/");
        return host;
    }

    /// <summary>Completes when the service is told to stop (SIGTERM, Ctrl-C, systemd stop).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string ReadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("HilRig.Service.index.html")
            ?? throw new InvalidOperationException("the live page is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Parses --listen: an IP address, "localhost", or "*" / "0.0.0.0" for every interface.</summary>
    public static IPAddress? ParseAddress(string text) => text switch
    {
        "localhost" => IPAddress.Loopback,
        "*" => IPAddress.Any,
        _ => IPAddress.TryParse(text, out var a) ? a : null,
    };
}
