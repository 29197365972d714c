using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace HilRig.Bench.Module.Network;

/// <summary>A download that cannot succeed by trying again (wrong digest, wrong size, file not found).</summary>
public sealed class DownloadFailedException(string message) : Exception(message);

/// <summary>
/// Downloads a firmware file over HTTP into a partial file that survives reboots, resuming with
/// <c>Range</c> and <c>If-Range</c> after any interruption (docs/cloud.md §2.5), and checks the
/// SHA-256 over the whole file before handing it over.
/// </summary>
public sealed class FirmwareDownloader(HttpClient http, Action<string> log)
{
    /// <summary>Resume an interrupted download with Range (false: the download-from-zero defect).</summary>
    public bool ResumeWithRange { get; init; } = true;

    /// <summary>Check the SHA-256 before handing the bytes over (false: the skip-digest-check defect).</summary>
    public bool CheckDigest { get; init; } = true;

    /// <summary>Attempts before a download that keeps failing is given up.</summary>
    public const int MaxAttempts = 30;

    /// <summary>First back-off after a failed attempt; doubles up to <see cref="MaxBackOff"/>.</summary>
    public static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest back-off between attempts.</summary>
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(8);

    /// <summary>
    /// A body read that brings nothing for this long ends the attempt (HttpClient's own timeout stops at
    /// the response headers, so a stalled connection would otherwise hold the download for ever).
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Fetches <paramref name="url"/> into <paramref name="partialPath"/> and returns the checked bytes.
    /// <paramref name="progress"/> gets (bytes held, size, resumed-from) after every chunk written.
    /// </summary>
    public async Task<byte[]> DownloadAsync(string url, string sha256Hex, long size, string partialPath,
        Action<long, long> progress, CancellationToken cancellationToken)
    {
        var etagPath = partialPath + ".etag";
        var backOff = FirstBackOff;
        for (var attempt = 1; ; attempt++)
        {
            if (!ResumeWithRange && File.Exists(partialPath))
            {
                File.Delete(partialPath);
            }
            var have = File.Exists(partialPath) ? new FileInfo(partialPath).Length : 0;
            if (have > size)
            {
                log($"download {Name(url)}: partial file holds {have} bytes, more than the {size} expected; starting over");
                File.Delete(partialPath);
                have = 0;
            }
            if (have < size)
            {
                try
                {
                    await FetchAsync(url, size, partialPath, etagPath, have, progress, cancellationToken).ConfigureAwait(false);
                }
                // HttpClient lets a bare SocketException through when a connection is reset as it opens
                // (it asks the socket for its remote end): that is a network failure like any other.
                catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or SocketException
                    || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    var held = File.Exists(partialPath) ? new FileInfo(partialPath).Length : 0;
                    if (attempt >= MaxAttempts)
                    {
                        throw new DownloadFailedException($"download {Name(url)} gave up after {attempt} attempts at byte {held} of {size}: {ex.Message}");
                    }
                    log($"download {Name(url)}: attempt {attempt} stopped at byte {held} of {size} ({ex.Message}); retrying in {backOff.TotalSeconds:0.#} s");
                    await Task.Delay(backOff, cancellationToken).ConfigureAwait(false);
                    backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
                    continue;
                }
            }
            var bytes = await File.ReadAllBytesAsync(partialPath, cancellationToken).ConfigureAwait(false);
            if (bytes.Length != size)
            {
                // The server answered with a different length than the instruction said: the file changed.
                File.Delete(partialPath);
                throw new DownloadFailedException($"download {Name(url)}: got {bytes.Length} bytes, the instruction says {size}");
            }
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (CheckDigest && !string.Equals(actual, sha256Hex, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partialPath);
                File.Delete(etagPath);
                throw new DownloadFailedException($"download {Name(url)}: SHA-256 {actual} differs from the expected {sha256Hex.ToLowerInvariant()}; the file is discarded");
            }
            File.Delete(etagPath);
            return bytes;
        }
    }

    private async Task FetchAsync(string url, long size, string partialPath, string etagPath, long have,
        Action<long, long> progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var etag = File.Exists(etagPath) ? await File.ReadAllTextAsync(etagPath, cancellationToken).ConfigureAwait(false) : null;
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
            if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
            {
                request.Headers.IfRange = new RangeConditionHeaderValue(tag);
            }
            log($"download {Name(url)}: resuming at byte {have} of {size}");
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        FileMode mode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when have > 0:
                var from = response.Content.Headers.ContentRange?.From;
                if (from != have)
                {
                    throw new HttpRequestException($"206 for bytes {from?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}- when bytes {have}- were asked");
                }
                mode = FileMode.Append;
                break;
            case HttpStatusCode.OK:
                if (have > 0)
                {
                    log($"download {Name(url)}: the server sent the whole file (200), so it changed; starting over");
                }
                mode = FileMode.Create;
                have = 0;
                break;
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                File.Delete(partialPath);
                throw new HttpRequestException($"416: bytes {have}- not satisfiable; starting over");
            case HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized:
                throw new DownloadFailedException($"download {Name(url)}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            default:
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        if (response.Headers.ETag is { } newTag)
        {
            await File.WriteAllTextAsync(etagPath, newTag.ToString(), cancellationToken).ConfigureAwait(false);
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(partialPath, mode, FileAccess.Write, FileShare.Read);
        var buffer = new byte[8192];
        var held = have;
        while (true)
        {
            int read;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(IdleTimeout);
                try
                {
                    read = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no byte for {IdleTimeout.TotalSeconds:0} s at byte {held} of {size}");
                }
            }
            if (read == 0)
            {
                break;
            }
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            held += read;
            progress(held, size);
        }
        if (held < size)
        {
            throw new IOException($"the connection ended at byte {held} of {size}");
        }
    }

    private static string Name(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFileName(uri.AbsolutePath) : url;
}
