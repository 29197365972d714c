using System.Net;
using System.Security.Cryptography;
using System.Text;
using HilRig.Protocol.Cloud;
using Microsoft.AspNetCore.Http;

namespace HilRig.Servers.TargetOta.Http;

/// <summary>
/// The one gate in front of every route but the devices' downloads (docs/cloud.md §2.6): a request from an address
/// that is not loopback is 403, one without the server's admin secret in <see cref="SecretHeader"/> is 401. Paths are
/// matched without regard to case, as routing matches them, and anything that is not GET or HEAD of /firmware/… is
/// guarded, so a spelling of an admin path the router accepts cannot slip past.
/// </summary>
internal static class AdminGuard
{
    /// <summary>The header that carries the admin secret.</summary>
    public const string SecretHeader = "X-HilRig-Admin-Secret";

    public static Task MiddlewareAsync(HttpContext context, RequestDelegate next, byte[] secret)
    {
        if (IsDownload(context.Request))
        {
            return next(context);
        }
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "the admin API answers loopback clients only");
        }
        var sent = context.Request.Headers[SecretHeader];
        if (sent.Count != 1 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent[0] ?? ""), secret))
        {
            return RefuseAsync(context, StatusCodes.Status401Unauthorized,
                $"the admin API needs the server's admin secret in the {SecretHeader} header (TargetOtaServer.AdminSecret, in-process)");
        }
        return next(context);
    }

    private static bool IsDownload(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Path.StartsWithSegments("/firmware", StringComparison.OrdinalIgnoreCase);

    private static async Task RefuseAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        RequestLog.Note(context, reason);
        await context.Response.Body.WriteAsync(CloudJson.Encode(new AdminError(reason)), context.RequestAborted).ConfigureAwait(false);
    }
}
