using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace HilRig.Service.Security;

/// <summary>
/// The one check in front of every request (page, API, artifacts), in this order:
/// <list type="number">
/// <item>the Host header must be a name this service is reached by, with the port the request came in on, so a
/// page on another site that rebinds its own name to this address (DNS rebinding) is refused (400);</item>
/// <item>with a token, every path but the page and the login needs "Authorization: Bearer &lt;token&gt;" or the
/// session cookie of a login (401); paths are compared as routing compares them, case-insensitively;</item>
/// <item>a state-changing call (any method but GET and HEAD) needs the header <c>X-HilRig: 1</c> (403) and a JSON
/// body (415): an HTML form cannot send either, and a cross-site script cannot without a CORS preflight this
/// service never grants, so no other site can queue or cancel a run, with or without a token.</item>
/// </list>
/// ASP.NET Core's HostFiltering middleware checks names only, not ports, and answers in HTML; this check answers
/// in JSON like the rest of the API and says which names are accepted.
/// </summary>
public sealed class AccessGate
{
    /// <summary>The header a state-changing call must carry.</summary>
    public const string RequestHeader = "X-HilRig";

    private readonly Sessions? _sessions;
    private readonly HashSet<string> _names;

    /// <summary>Creates the gate for <paramref name="options"/>; <paramref name="sessions"/> is null without a token.</summary>
    public AccessGate(ServeOptions options, Sessions? sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sessions = sessions;
        _names = NamesOf(options);
    }

    /// <summary>The host names (without port) accepted in the Host header.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>The middleware.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (HostProblem(context) is { } host)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, host).ConfigureAwait(false);
            return;
        }
        var request = context.Request;
        if (_sessions is not null && !IsPublic(request) && !IsAuthenticated(request))
        {
            response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(context, StatusCodes.Status401Unauthorized,
                "this service needs 'Authorization: Bearer <token>', or a login with the token (POST /api/login) for the page").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            if (request.Headers[RequestHeader].ToString() != "1")
            {
                await ErrorAsync(context, StatusCodes.Status403Forbidden,
                    $"{request.Method} needs the header '{RequestHeader}: 1' (so that no other web site can make this call)").ConfigureAwait(false);
                return;
            }
            if (!IsJson(request.ContentType))
            {
                await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType,
                    $"{request.Method} needs a JSON body with 'Content-Type: application/json' (send {{}} when there is nothing to say)").ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Writes <c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorAnswer(message), ErrorJson.Readable.ErrorAnswer);
    }

    private bool IsAuthenticated(HttpRequest request) =>
        _sessions!.IsBearer(request.Headers.Authorization.ToString())
        || _sessions.IsOpen(request.Cookies[Sessions.CookieName]);

    // The page (it holds no data: it shows a login when the API answers 401) and the login itself.
    private static bool IsPublic(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        if (path == "/") return HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        return path.TrimEnd('/').Equals("/api/login", StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(request.Method);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private string? HostProblem(HttpContext context)
    {
        var host = context.Request.Host;
        var port = context.Connection.LocalPort;
        if (host.HasValue && _names.Contains(host.Host.ToLowerInvariant()) && (host.Port == port || (host.Port is null && port == 80)))
        {
            return null;
        }
        var expected = string.Join(", ", _names.Order(StringComparer.Ordinal).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n}:{port}")));
        return host.HasValue
            ? $"Host '{Printable(host.Value)}' is not a name of this service; it answers to {expected} (start it with --host-name NAME to add one)"
            : $"the request has no Host header; this service answers to {expected}";
    }

    private static string Printable(string text)
    {
        var clean = new string([.. text.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 100 ? clean + "..." : clean;
    }

    private static HashSet<string> NamesOf(ServeOptions options)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var address = options.Address;
        var any = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        if (IPAddress.IsLoopback(address) || any)
        {
            names.UnionWith(["127.0.0.1", "localhost", "[::1]"]);
        }
        if (!IPAddress.IsLoopback(address))
        {
            if (!any) names.Add(Format(address));
            names.Add(Dns.GetHostName());
        }
        if (any)
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.IsIPv6LinkLocal) continue;
                    names.Add(Format(unicast.Address));
                }
            }
        }
        names.UnionWith(options.HostNames);
        return new HashSet<string>(names.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);
    }

    private static string Format(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
