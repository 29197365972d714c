using System.Security.Cryptography;
using System.Text;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Faults;
using HilRig.Servers.Internal;
using HilRig.Servers.Mqtt;
using HilRig.Servers.TargetOta.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HilRig.Servers.TargetOta;

/// <summary>
/// The target OTA server (docs/cloud.md §2): a broker for device traffic on ota/{device}/…, and Kestrel on loopback
/// for firmware downloads and the admin API (loopback clients holding <see cref="AdminSecret"/> only, publishing only
/// the images in <see cref="Images"/>; with a bench CA certificate: MQTT over TLS, and downloads over HTTPS on a port
/// of their own while the admin API stays plain). It sends the module its OTA instruction when a report shows another
/// version, runs two-phase chip campaigns (prepare, then the campaign planned from the chips the device prepared), and collects every device's events for steps to await.
/// </summary>
public sealed partial class TargetOtaServer : IAsyncDisposable
{
    /// <summary>Source name on the sink.</summary>
    public const string Source = "target";

    private readonly ServerEventSink _sink;
    private readonly MqttBrokerHost? _ownedBroker;
    private readonly KestrelHost _http;
    private readonly KestrelHost? _downloads;
    private readonly FirmwareStore _firmware = new();
    private readonly DeviceMessageLog<DeviceEvent> _events = new("event", Describe);
    private readonly DeviceMessageLog<DeviceReport> _reports = new("report", r => $"{r.Reason}, module {r.Module.Version}");

    private readonly byte[] _adminSecret;

    private TargetOtaServer(IDeviceBroker broker, MqttBrokerHost? ownedBroker, ServerEventSink sink, TimeProvider time, System.Net.IPAddress listenAddress, Tls.ServerCertificate? tls)
    {
        // A secret per server instance, so per run: only the rig's own process learns it (AdminSecret), never the wire.
        AdminSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _adminSecret = Encoding.UTF8.GetBytes(AdminSecret);
        Broker = broker;
        _ownedBroker = ownedBroker;
        _sink = sink;
        _http = new KestrelHost(MapRoutes, listenAddress);
        // With TLS the device-facing downloads get an HTTPS port of their own; the admin API stays plain on loopback.
        _downloads = tls is null ? null : new KestrelHost(MapDownloadRoutes, listenAddress, tls.Certificate);
        HttpFaults = new HttpFaults(Source, sink, time, RefuseConnectionsAsync);
        BrokerFaults = ownedBroker is null ? null : new BrokerFaults(ownedBroker, sink);
        broker.AddHandler(CloudTopics.OtaReport("+"), OnReportAsync);
        broker.AddHandler(CloudTopics.OtaEvents("+"), OnEventAsync);
    }

    /// <summary>Starts the target server with an embedded broker; both ports are known when this returns.</summary>
    public static async Task<TargetOtaServer> StartAsync(TargetOtaServerOptions options, ServerEventSink sink, CancellationToken cancellationToken)
    {
        var broker = await MqttBrokerHost.StartAsync(new MqttBrokerOptions
        {
            Name = Source,
            Devices = options.Devices,
            Acl = options.Acl,
            Port = options.MqttPort,
            Tls = options.Tls,
        }, sink, cancellationToken).ConfigureAwait(false);
        return await StartAsync(options, broker, broker, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the target server on a broker it does not own (an external broker, for example); that broker checks
    /// credentials and ACLs, so <see cref="TargetOtaServerOptions.Devices"/> and <see cref="TargetOtaServerOptions.MqttPort"/> are not used.
    /// </summary>
    public static Task<TargetOtaServer> StartAsync(TargetOtaServerOptions options, IDeviceBroker broker, ServerEventSink sink, CancellationToken cancellationToken) =>
        StartAsync(options, broker, null, sink, cancellationToken);

    private static async Task<TargetOtaServer> StartAsync(TargetOtaServerOptions options, IDeviceBroker broker, MqttBrokerHost? owned, ServerEventSink sink, CancellationToken cancellationToken)
    {
        var server = new TargetOtaServer(broker, owned, sink, options.Time, options.ListenAddress, options.Tls);
        try
        {
            await server._http.StartAsync(options.HttpPort, cancellationToken).ConfigureAwait(false);
            if (server._downloads is { } downloads)
            {
                await downloads.StartAsync(0, cancellationToken).ConfigureAwait(false);
                sink(Source, "http", $"firmware downloads over HTTPS on {server.DownloadUri}");
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        sink(Source, "http", $"listening on {server.BaseUri}");
        return server;
    }

    /// <summary>The broker devices connect to.</summary>
    public IDeviceBroker Broker { get; }

    /// <summary>The embedded broker, when this server runs one.</summary>
    public MqttBrokerHost? EmbeddedBroker => _ownedBroker;

    /// <summary>Loopback HTTP port of downloads and the admin API.</summary>
    public int HttpPort => _http.Port;

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>Loopback port of firmware downloads: <see cref="HttpPort"/>, or the HTTPS port when the server has a certificate.</summary>
    public int DownloadPort => _downloads?.Port ?? HttpPort;

    /// <summary>Where firmware downloads are served: http://127.0.0.1:{port}/ or https://127.0.0.1:{port}/.</summary>
    public Uri DownloadUri => new($"{(_downloads ?? _http).Scheme}://127.0.0.1:{DownloadPort}/");

    /// <summary>Download faults and refusing connections.</summary>
    public HttpFaults HttpFaults { get; }

    /// <summary>Broker restart, when this server runs its own broker.</summary>
    public BrokerFaults? BrokerFaults { get; }

    /// <summary>Every event a device sent so far, oldest first, with the server's own "campaign-empty" (docs/cloud.md §2.3) among them.</summary>
    public IReadOnlyList<DeviceEvent> EventsOf(string deviceId) => _events.Of(deviceId);

    /// <summary>Every report a device sent so far, oldest first (a report is listed once the server has acted on it).</summary>
    public IReadOnlyList<DeviceReport> ReportsOf(string deviceId) => _reports.Of(deviceId);

    /// <summary>
    /// Waits for a device event (one already received counts) matching <paramref name="match"/>; throws
    /// <see cref="TimeoutException"/> naming <paramref name="description"/>, the device and the last event seen.
    /// </summary>
    public Task<DeviceEvent> WaitForEventAsync(string deviceId, Func<DeviceEvent, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken) =>
        _events.WaitAsync("target server", deviceId, match, description, timeout, cancellationToken);

    /// <summary>Waits for a device report (one already received counts) matching <paramref name="match"/>; throws <see cref="TimeoutException"/> like <see cref="WaitForEventAsync"/>.</summary>
    public Task<DeviceReport> WaitForReportAsync(string deviceId, Func<DeviceReport, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken) =>
        _reports.WaitAsync("target server", deviceId, match, description, timeout, cancellationToken);

    /// <summary>
    /// The admin secret of this server instance, which every /admin call carries in the X-HilRig-Admin-Secret header
    /// (docs/cloud.md §2.6). It exists only in this process: give it to the rig's own clients, never to a device.
    /// </summary>
    public string AdminSecret { get; }

    /// <summary>The images the admin API may publish, by name; the rig offers them in-process (docs/cloud.md §2.6).</summary>
    public TargetOtaImageCatalog Images { get; } = new();

    /// <summary>A typed client of this server's admin API over HTTP, holding its secret (dispose it).</summary>
    public TargetOtaAdminClient CreateAdminClient() => new(BaseUri, AdminSecret);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync().ConfigureAwait(false);
        if (_downloads is not null)
        {
            await _downloads.DisposeAsync().ConfigureAwait(false);
        }
        if (_ownedBroker is not null)
        {
            await _ownedBroker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One line for an event: name, chip, campaign or instruction, progress, detail.</summary>
    public static string Describe(DeviceEvent e) =>
        e.Event
        + (e.Chip is { } chip ? $" chip 0x{chip:X2}" : "")
        + (e.CampaignId is { } campaign ? $" campaign {campaign}" : "")
        + (e.InstructionId is { } instruction ? $" instruction {instruction}" : "")
        + (e.Offset is { } offset ? $" {offset}/{e.SizeBytes?.ToString() ?? "?"}" : "")
        + (e.Detail is { } detail ? $": {detail}" : "");

    /// <summary>
    /// The base address devices download firmware from: <see cref="BaseUri"/> unless the rig sets the address of a
    /// network gate in front of the server (the device's path to it, which faults can take down).
    /// </summary>
    public Uri? DownloadBaseUri { get; set; }

    private string FirmwareUrl(PublishedImage image) => $"{DownloadBaseUri ?? DownloadUri}firmware/{Uri.EscapeDataString(image.FileName)}";

    private void MapRoutes(WebApplication app)
    {
        app.Use((context, next) => RequestLog.MiddlewareAsync(context, next, _sink, Source));
        app.Use((context, next) => AdminGuard.MiddlewareAsync(context, next, _adminSecret));
        if (_downloads is null)
        {
            app.MapGet("/firmware/{file}", (RequestDelegate)(context => FirmwareEndpoint.HandleAsync(context, _firmware, HttpFaults)));
        }
        MapAdmin(app);
    }

    private void MapDownloadRoutes(WebApplication app)
    {
        app.Use((context, next) => RequestLog.MiddlewareAsync(context, next, _sink, Source));
        app.MapGet("/firmware/{file}", (RequestDelegate)(context => FirmwareEndpoint.HandleAsync(context, _firmware, HttpFaults)));
    }

    private async Task RefuseConnectionsAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var downloads = _downloads ?? _http;
        var port = downloads.Port;
        _sink(Source, "fault", $"refusing HTTP connections for {duration.TotalSeconds:0.###} s on port {port}");
        await downloads.StopAsync().ConfigureAwait(false);
        _sink(Source, "http", $"stopped listening on port {port}");
        try
        {
            // The downtime itself is the fault, not a wait for something to happen.
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await downloads.StartAsync(port, CancellationToken.None).ConfigureAwait(false);
            _sink(Source, "fault", $"HTTP listening again on port {port}");
        }
    }
}
