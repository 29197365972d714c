using System.IO.Compression;
using HilRig.Core.Wiring;
using HilRig.Service.Live;
using HilRig.Service.Runs;
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
    /// <summary>Maps the API under /api.</summary>
    public static void Map(IEndpointRouteBuilder app, RunManager runs)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/runs", (RunRequest? request) =>
        {
            if (request is null) return Results.BadRequest(new { error = "body: a JSON object such as {\"features\":[\"scenarios/...feature\"],\"wiring\":\"wiring/sim-chain.yaml\"} is required" });
            var (run, error) = runs.Queue(request);
            return run is null ? Results.BadRequest(new { error }) : Results.Accepted($"/api/runs/{run.Id}", run);
        });
        api.MapGet("/runs", () => Results.Ok(runs.All()));
        api.MapGet("/runs/{id}", (string id) => runs.Get(id) is { } run ? Results.Ok(run) : NotFound(id));
        api.MapPost("/runs/{id}/cancel", (string id) =>
            runs.Get(id) is null ? NotFound(id)
            : runs.Cancel(id) ? Results.Accepted($"/api/runs/{id}", runs.Get(id))
            : Results.Conflict(new { error = $"run {id} has already ended" }));
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
            var live = LiveView.Build(Path.Combine(runs.Store.DirectoryOf(id), "reports"), wiring, since ?? 0);
            return Results.Ok(new { run, live });
        });
        api.MapGet("/runs/{id}/artifacts", (string id) =>
        {
            if (runs.Get(id) is null) return NotFound(id);
            var directory = runs.Store.DirectoryOf(id);
            var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
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
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
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
        api.MapGet("/runs/{id}/artifacts/{**path}", (string id, string path) =>
        {
            if (runs.Get(id) is null) return NotFound(id);
            var directory = Path.GetFullPath(runs.Store.DirectoryOf(id));
            var full = Path.GetFullPath(Path.Combine(directory, path));
            if (!full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Results.BadRequest(new { error = $"path: '{path}' is outside run {id}" });
            }
            if (!File.Exists(full)) return Results.NotFound(new { error = $"run {id} has no artifact '{path}'" });
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

    private static IResult NotFound(string id) => Results.NotFound(new { error = $"no run {id}" });
}
