using System.IO.Compression;
using HilRig.Core.Wiring;
using HilRig.Service.Live;
using HilRig.Service.Runs;
using HilRig.Service.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HilRig.Service.Api;

/// <summary>
/// The REST API (docs in rig/HilRig.Service/README.md): queue runs, read the history, download
/// artifacts, cancel, and the live state the page polls.
/// </summary>
public static class RunApi
{
    /// <summary>
    /// Artifacts are the run's own output (reports, timelines, logs holding what the device sent): served sandboxed,
    /// so an HTML or SVG artifact runs in an origin of its own and cannot use the page's login.
    /// </summary>
    public const string ArtifactPolicy = "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data:";

    /// <summary>Maps the API under /api.</summary>
    public static void Map(IEndpointRouteBuilder app, RunManager runs)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(runs);
        var api = app.MapGroup("/api");
        api.MapPost("/runs", async (HttpRequest http) =>
        {
            var (request, problem, status) = await RunRequestReader.ReadAsync(http).ConfigureAwait(false);
            if (request is null) return Error(status, problem!);
            var (run, error) = runs.Queue(request);
            return run is null ? Error(StatusCodes.Status400BadRequest, error!) : Results.Accepted($"/api/runs/{run.Id}", run);
        });
        api.MapGet("/runs", () => Results.Ok(runs.All()));
        api.MapGet("/runs/{id}", (string id) => runs.Get(id) is { } run ? Results.Ok(run) : NotFound(id));
        api.MapPost("/runs/{id}/cancel", (string id) =>
            runs.Get(id) is null ? NotFound(id)
            : runs.Cancel(id) ? Results.Accepted($"/api/runs/{id}", runs.Get(id))
            : Error(StatusCodes.Status409Conflict, $"run {id} has already ended"));
        api.MapGet("/runs/{id}/live", (string id, int? since) =>
        {
            if (runs.Get(id) is not { } run) return NotFound(id);
            BenchWiring? wiring = null;
            try
            {
                wiring = WiringLoader.Load(Path.Combine(runs.Options.RepositoryRoot, run.Wiring));
            }
            catch (Exception ex) when (ex is WiringException or IOException)
            {
            }
            var live = LiveView.Build(Path.Combine(runs.Store.DirectoryOf(id), "reports"), wiring, Math.Max(0, since ?? 0));
            return Results.Ok(new { run, live });
        });
        api.MapGet("/runs/{id}/artifacts", (string id) =>
        {
            if (runs.Get(id) is null) return NotFound(id);
            var directory = runs.Store.DirectoryOf(id);
            var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Where(f => CheckoutPaths.IsInside(directory, f))
                .Select(f => new { path = Path.GetRelativePath(directory, f), bytes = new FileInfo(f).Length })
                .OrderBy(f => f.path, StringComparer.Ordinal)
                .ToList();
            return Results.Ok(files);
        });
        api.MapGet("/runs/{id}/artifacts.zip", (string id) =>
        {
            if (runs.Get(id) is null) return NotFound(id);
            var directory = runs.Store.DirectoryOf(id);
            var zip = new MemoryStream();
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => CheckoutPaths.IsInside(directory, f)))
                {
                    var entry = archive.CreateEntry($"{id}/{Path.GetRelativePath(directory, file)}", CompressionLevel.Fastest);
                    using var to = entry.Open();
                    using var from = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    from.CopyTo(to);
                }
            }
            zip.Position = 0;
            return Results.File(zip, "application/zip", $"hilrig-run-{id}.zip");
        });
        api.MapGet("/runs/{id}/artifacts/{**path}", (string id, string path, HttpResponse response) =>
        {
            if (runs.Get(id) is null) return NotFound(id);
            var directory = Path.GetFullPath(runs.Store.DirectoryOf(id));
            if (path.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(path))
            {
                return Error(StatusCodes.Status400BadRequest, $"path: '{RunRequestReader.Printable(path)}' is not a path inside run {id}");
            }
            var full = Path.GetFullPath(Path.Combine(directory, path));
            if (!full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Error(StatusCodes.Status400BadRequest, $"path: '{RunRequestReader.Printable(path)}' is outside run {id}");
            }
            // A symlink inside the run's folder must not lead out of it either.
            if (!File.Exists(full) || !CheckoutPaths.IsInside(directory, full))
            {
                return Error(StatusCodes.Status404NotFound, $"run {id} has no artifact '{RunRequestReader.Printable(path)}'");
            }
            response.Headers.ContentSecurityPolicy = ArtifactPolicy;
            var type = Path.GetExtension(full) switch
            {
                ".ndjson" => "application/x-ndjson",
                ".xml" => "application/xml",
                ".svg" => "image/svg+xml",
                ".json" => "application/json",
                ".log" or ".txt" => "text/plain; charset=utf-8",
                ".html" => "text/html; charset=utf-8",
                _ => "application/octet-stream",
            };
            return Results.File(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), type, Path.GetFileName(full));
        });
    }

    /// <summary>Maps the page's login: POST /api/login with the token sets the session cookie; POST /api/logout ends it.</summary>
    public static void MapLogin(IEndpointRouteBuilder app, Sessions? sessions)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/api/login", async (HttpContext context) =>
        {
            if (sessions is null) return Results.Ok(new { login = "not needed: this service has no token" });
            string? token = null;
            try
            {
                using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
                if (body.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    && body.RootElement.TryGetProperty("token", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    token = value.GetString();
                }
            }
            catch (System.Text.Json.JsonException)
            {
                return Error(StatusCodes.Status400BadRequest, "body: not valid JSON; send {\"token\": \"...\"}");
            }
            catch (BadHttpRequestException ex)
            {
                return Error(ex.StatusCode, "body: " + ex.Message);
            }
            if (token is null) return Error(StatusCodes.Status400BadRequest, "token: missing; send {\"token\": \"...\"}");
            if (!sessions.IsToken(token)) return Error(StatusCodes.Status401Unauthorized, "token: not this service's token");
            context.Response.Cookies.Append(Sessions.CookieName, sessions.Open(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                MaxAge = Sessions.Lifetime,
                IsEssential = true,
            });
            return Results.Ok(new { login = "ok", expiresInSeconds = (int)Sessions.Lifetime.TotalSeconds });
        });
        app.MapPost("/api/logout", (HttpContext context) =>
        {
            sessions?.Close(context.Request.Cookies[Sessions.CookieName]);
            context.Response.Cookies.Delete(Sessions.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
            return Results.Ok(new { login = "ended" });
        });
    }

    /// <summary><c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static IResult Error(int status, string message) => Results.Json(new ErrorAnswer(message), ErrorJson.Readable.ErrorAnswer, statusCode: status);

    private static IResult NotFound(string id) => Error(StatusCodes.Status404NotFound, $"no run '{RunRequestReader.Printable(id)}'");
}
