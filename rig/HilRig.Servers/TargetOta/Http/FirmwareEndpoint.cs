using System.Globalization;
using HilRig.Servers.Faults;
using Microsoft.AspNetCore.Http;

namespace HilRig.Servers.TargetOta.Http;

/// <summary>
/// GET /firmware/{file} (docs/cloud.md §2.5): Content-Length, Accept-Ranges, ETag and X-Checksum-Sha256 on every
/// answer; one byte range with Range (206 / 416), honoured only when If-Range, if sent, is the current ETag.
/// The download faults of <see cref="HttpFaults"/> strike here.
/// </summary>
internal static class FirmwareEndpoint
{
    public const string ChecksumHeader = "X-Checksum-Sha256";

    public static async Task HandleAsync(HttpContext context, FirmwareStore store, HttpFaults faults)
    {
        var response = context.Response;
        if (faults.TakeFailure())
        {
            RequestLog.Note(context, "fault: HTTP 500");
            response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        var fileName = (string)context.Request.RouteValues["file"]!;
        if (store.ByFileName(fileName) is not { } image)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            RequestLog.Note(context, $"no published image named '{fileName}'");
            return;
        }

        var size = image.Bytes.LongLength;
        var range = ByteRange.Parse(context.Request.Headers.Range.ToString(), size);
        if (range.Kind == ByteRangeKind.Malformed)
        {
            RequestLog.Note(context, $"ignored malformed Range header: {range.Problem}; whole file served");
            range = ByteRange.Parse(null, size);
        }
        var ifRange = context.Request.Headers.IfRange.ToString();
        if (range.Kind != ByteRangeKind.None && ifRange.Length > 0 && ifRange != image.ETag)
        {
            RequestLog.Note(context, $"If-Range {ifRange} is not the current ETag {image.ETag}; whole file served");
            range = ByteRange.Parse(null, size);
        }

        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = image.ETag;
        // The checksum fault is for a download: a 416 does not use it up.
        var wrongChecksum = range.Kind != ByteRangeKind.Unsatisfiable && faults.TakeWrongChecksum();
        response.Headers[ChecksumHeader] = wrongChecksum ? WrongChecksum(context, image.Sha256) : image.Sha256;
        if (range.Kind == ByteRangeKind.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{size}";
            response.ContentLength = 0;
            return;
        }
        if (range.Kind == ByteRangeKind.Satisfiable)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{size}");
        }
        response.ContentType = "application/octet-stream";
        response.ContentLength = range.LengthBytes;
        await WriteBodyAsync(context, fileName, image.Bytes, range, faults).ConfigureAwait(false);
    }

    private static string WrongChecksum(HttpContext context, string sha256)
    {
        RequestLog.Note(context, "fault: wrong X-Checksum-Sha256");
        // The true digest with its last byte inverted: well-formed, and wrong.
        var bytes = Convert.FromHexString(sha256);
        bytes[^1] ^= 0xFF;
        return Convert.ToHexStringLower(bytes);
    }

    private static async Task WriteBodyAsync(HttpContext context, string fileName, byte[] file, ByteRange range, HttpFaults faults)
    {
        var body = file.AsMemory((int)range.Start, (int)range.LengthBytes);
        if (faults.TakeCorruption())
        {
            var altered = body.ToArray();
            // The middle byte of the file when this answer carries it, else the first byte served.
            var flip = file.Length / 2 is var middle && middle >= range.Start && middle <= range.End ? middle - (int)range.Start : 0;
            altered[flip] ^= 0xFF;
            body = altered;
            RequestLog.Note(context, $"fault: byte {range.Start + flip} altered");
        }
        var cutAt = faults.TakeTruncation();
        if (cutAt is { } cut && cut <= range.End)
        {
            // Returning with fewer bytes than Content-Length makes Kestrel send what was written and then close
            // the connection (FIN, so the bytes arrive); HttpContext.Abort could drop bytes not yet on the wire.
            // "Connection: close" also closes it when not a single body byte is sent.
            var sent = (int)Math.Max(0, cut - range.Start);
            context.Response.Headers.Connection = "close";
            await context.Response.Body.WriteAsync(body[..sent], context.RequestAborted).ConfigureAwait(false);
            RequestLog.SetBytes(context, sent);
            RequestLog.Note(context, $"fault: connection closed at byte {range.Start + sent}");
            return;
        }
        if (cutAt is { } past)
        {
            RequestLog.Note(context, $"fault: cut at byte {past} is past this answer's last byte {range.End}, not applied");
        }
        var written = 0;
        if (faults.TakePause(range.Start, range.End) is { } pause)
        {
            // The bytes before the offset leave in full (flushed: over TLS every record holding them is sent), then the
            // rest waits, so the client holds exactly those bytes whatever their transport adds around them.
            written = (int)(pause.Offset - range.Start);
            await context.Response.Body.WriteAsync(body[..written], context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            RequestLog.Note(context, $"fault: held at byte {pause.Offset}");
            pause.Reached.TrySetResult(fileName);
            try
            {
                await Task.Delay(pause.Hold, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                RequestLog.SetBytes(context, written);
                RequestLog.Note(context, "the connection ended while held");
                return;
            }
        }
        await context.Response.Body.WriteAsync(body[written..], context.RequestAborted).ConfigureAwait(false);
        RequestLog.SetBytes(context, body.Length);
    }
}
