using Microsoft.AspNetCore.Http;

namespace HilRig.Servers.TargetOta.Http;

/// <summary>
/// One "http" line per request on the sink (method, path, Range, status, body bytes, what happened), and one
/// "error" line instead of a crash when a handler throws.
/// </summary>
internal static class RequestLog
{
    private const string BytesKey = "hilrig.bytes";
    private const string NoteKey = "hilrig.note";

    /// <summary>Records how many body bytes were really sent (a cut download sends fewer than Content-Length).</summary>
    public static void SetBytes(HttpContext context, long bytes) => context.Items[BytesKey] = bytes;

    /// <summary>Adds a remark to the request's line (a fault that struck, a header that was ignored).</summary>
    public static void Note(HttpContext context, string note) =>
        context.Items[NoteKey] = context.Items.TryGetValue(NoteKey, out var before) ? $"{before}; {note}" : note;

    public static async Task MiddlewareAsync(HttpContext context, RequestDelegate next, ServerEventSink sink, string source)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sink(source, "error", $"{context.Request.Method} {context.Request.Path} failed: {ex.GetType().Name}: {ex.Message}");
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
        var request = context.Request;
        var range = request.Headers.Range.ToString();
        var ifRange = request.Headers.IfRange.ToString();
        var bytes = context.Items.TryGetValue(BytesKey, out var b) ? (long)b! : context.Response.ContentLength ?? 0;
        var note = context.Items.TryGetValue(NoteKey, out var n) ? $" ({n})" : "";
        sink(source, "http",
            $"{request.Method} {request.Path}{(range.Length > 0 ? $" Range: {range}" : "")}{(ifRange.Length > 0 ? $" If-Range: {ifRange}" : "")}" +
            $" → {context.Response.StatusCode}, {bytes} bytes{note}");
    }
}
