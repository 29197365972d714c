using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using HilRig.Core.Nodes;
using HilRig.Core.Wiring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HilRig.Service.Runs;

/// <summary>
/// The run queue: runs are queued per bench and executed one at a time per bench, each as a child
/// `hilrig run` process (the same code path as the command line, and a crash of a run cannot take the
/// service down). The child takes the bench's lock, so a run started from the command line on the same
/// bench makes the queued run wait. Stopping the service cancels the current runs: each child gets
/// SIGTERM, powers its bench off and flushes its reports.
/// </summary>
public sealed partial class RunManager : BackgroundService
{
    private readonly ServeOptions _options;
    private readonly RunStore _store;
    private readonly ILogger<RunManager> _logger;
    private readonly ConcurrentDictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Channel<string>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _cancels = new(StringComparer.Ordinal);
    private readonly List<Task> _workers = [];
    private readonly Lock _gate = new();
    private CancellationToken _stopping;
    private int _sequence;

    /// <summary>Creates the manager and reads the run history back from disk.</summary>
    public RunManager(ServeOptions options, ILogger<RunManager> logger)
    {
        _options = options;
        _logger = logger;
        _store = new RunStore(options.DataDirectory);
        var problems = new List<string>();
        foreach (var run in _store.LoadAll(problems))
        {
            // A run that was queued or running when the service stopped did not finish.
            _runs[run.Id] = run.State is RunState.Queued or RunState.Running
                ? run with { State = RunState.Cancelled, Message = "the service stopped before this run finished", EndedAt = run.EndedAt ?? DateTimeOffset.Now }
                : run;
        }
        foreach (var p in problems) _logger.LogWarning("run history: {Problem}", p);
    }

    /// <summary>The options the service runs with.</summary>
    public ServeOptions Options => _options;

    /// <summary>The store runs are kept in.</summary>
    public RunStore Store => _store;

    /// <summary>Every run, newest first.</summary>
    public IReadOnlyList<RunRecord> All() => _runs.Values.OrderByDescending(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>One run, or null.</summary>
    public RunRecord? Get(string id) => _runs.GetValueOrDefault(id);

    /// <summary>Checks a request and queues it; returns the run, or the reason it was refused (naming the field).</summary>
    public (RunRecord? Run, string? Error) Queue(RunRequest request)
    {
        var root = _options.RepositoryRoot;
        var wiring = request.Wiring ?? Path.GetRelativePath(root, _options.DefaultWiring);
        var wiringPath = Path.GetFullPath(Path.Combine(root, wiring));
        if (!Inside(root, wiringPath) || !File.Exists(wiringPath))
        {
            return (null, $"wiring: '{wiring}' is not a wiring file of this checkout");
        }
        BenchWiring bench;
        try
        {
            bench = WiringLoader.Load(wiringPath);
        }
        catch (WiringException ex)
        {
            return (null, $"wiring: {ex.Message}");
        }
        foreach (var feature in request.Features ?? [])
        {
            var file = feature;
            var colon = feature.LastIndexOf(':');
            if (colon > 0 && int.TryParse(feature.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _)) file = feature[..colon];
            var full = Path.GetFullPath(Path.Combine(root, file));
            if (!Inside(root, full) || !(File.Exists(full) || Directory.Exists(full)))
            {
                return (null, $"features: '{feature}' is not a feature file or folder of this checkout");
            }
        }
        if (request.Tags is { Length: > 500 })
        {
            return (null, "tags: longer than 500 characters");
        }
        RunRecord run;
        lock (_gate)
        {
            var id = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Interlocked.Increment(ref _sequence):D3}";
            run = new RunRecord
            {
                Id = id,
                Request = request,
                Bench = bench.Name,
                Wiring = Path.GetRelativePath(root, wiringPath),
                Seed = request.Seed ?? Random.Shared.Next(1, 1_000_000),
                State = RunState.Queued,
                QueuedAt = DateTimeOffset.Now,
            };
            Update(run);
        }
        var queue = _queues.GetOrAdd(bench.Name, name =>
        {
            var channel = Channel.CreateUnbounded<string>();
            lock (_workers) _workers.Add(Task.Run(() => WorkAsync(name, channel.Reader)));
            return channel;
        });
        queue.Writer.TryWrite(run.Id);
        _logger.LogInformation("run {Id} queued on bench {Bench}", run.Id, bench.Name);
        return (run, null);
    }

    /// <summary>Cancels a queued or running run; false when it has already ended or does not exist.</summary>
    public bool Cancel(string id)
    {
        if (Get(id) is not { State: RunState.Queued or RunState.Running } run) return false;
        if (_cancels.TryGetValue(id, out var cts))
        {
            cts.Cancel();
        }
        else
        {
            Update(run with { State = RunState.Cancelled, EndedAt = DateTimeOffset.Now, Message = "cancelled before it started" });
        }
        return true;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var cts in _cancels.Values) await cts.CancelAsync().ConfigureAwait(false);
        foreach (var q in _queues.Values) q.Writer.TryComplete();
        Task[] workers;
        lock (_workers) workers = [.. _workers];
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task WorkAsync(string bench, ChannelReader<string> queue)
    {
        await foreach (var id in queue.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (Get(id) is not { State: RunState.Queued } run) continue;
            if (_stopping.IsCancellationRequested)
            {
                Update(run with { State = RunState.Cancelled, EndedAt = DateTimeOffset.Now, Message = "the service stopped before this run started" });
                continue;
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _cancels[id] = cts;
            try
            {
                await ExecuteRunAsync(run, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "run {Id} on bench {Bench} could not be executed", id, bench);
                Update((Get(id) ?? run) with { State = RunState.Failed, EndedAt = DateTimeOffset.Now, Message = $"the run could not be executed: {ex.Message}" });
            }
            finally
            {
                _cancels.TryRemove(id, out _);
            }
        }
    }

    private async Task ExecuteRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var directory = _store.DirectoryOf(run.Id);
        var reports = Path.Combine(directory, "reports");
        var args = new List<string> { "run" };
        args.AddRange(run.Request.Features ?? []);
        args.AddRange(["--wiring", Path.Combine(_options.RepositoryRoot, run.Wiring), "--seed", run.Seed.ToString(CultureInfo.InvariantCulture), "--out", reports]);
        if (run.Request.Tags is { Length: > 0 } tags) args.AddRange(["--tags", tags]);
        var (file, prefix) = HilrigExecutable.Resolve();
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = _options.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args)) info.ArgumentList.Add(a);
        var reproduce = "dotnet run --project rig/HilRig.Cli -- " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        run = Update(run with { State = RunState.Running, StartedAt = DateTimeOffset.Now, Reproduce = reproduce });
        _logger.LogInformation("run {Id} started: {Command}", run.Id, reproduce);

        using var log = new StreamWriter(Path.Combine(directory, "run.log"), append: true) { AutoFlush = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("hilrig run could not be started");
        var gate = new Lock();
        void OnLine(string? line, bool error)
        {
            if (line is null) return;
            lock (gate)
            {
                log.WriteLine(error ? "stderr: " + line : line);
                if (ParseResult(line) is { } result)
                {
                    var now = Get(run.Id)!;
                    Update(now with
                    {
                        Scenarios = [.. now.Scenarios, result],
                        Passed = now.Passed + (result.Passed ? 1 : 0),
                        Failed = now.Failed + (result.Passed ? 0 : 1),
                    });
                }
                else if (line.Contains(" is in use by ", StringComparison.Ordinal))
                {
                    Update(Get(run.Id)! with { Message = line.Replace("hilrig run: ", "", StringComparison.Ordinal) });
                }
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data, false);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var cancelled = false;
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
            // SIGTERM: the run powers its bench off and writes its reports; then it is given 30 s.
            _ = Kill(process.Id, Sigterm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        process.WaitForExit();
        var done = Get(run.Id)!;
        var state = cancelled ? RunState.Cancelled
            : process.ExitCode == 0 && done.Failed == 0 ? RunState.Passed
            : RunState.Failed;
        var message = cancelled ? "cancelled" : state == RunState.Failed && done.Failed == 0 ? $"hilrig run ended with exit code {process.ExitCode}; see run.log" : done.Message;
        Update(done with { State = state, EndedAt = DateTimeOffset.Now, Message = message });
        _logger.LogInformation("run {Id} ended: {State} ({Passed} passed, {Failed} failed)", run.Id, state, done.Passed, done.Failed);
    }

    /// <summary>Reads a "PASS  Feature: Scenario [file:line] (1.2 s)" or "FAIL  ...: Failed ..." line of `hilrig run`.</summary>
    public static ScenarioResult? ParseResult(string line)
    {
        var passed = line.StartsWith("PASS  ", StringComparison.Ordinal);
        if (!passed && !line.StartsWith("FAIL  ", StringComparison.Ordinal)) return null;
        var open = line.IndexOf(" [", StringComparison.Ordinal);
        var close = open < 0 ? -1 : line.IndexOf(']', open);
        if (open < 0 || close < 0) return null;
        var name = line[6..open];
        var location = line[(open + 2)..close];
        var rest = line[(close + 1)..].TrimStart(':', ' ');
        return new ScenarioResult(name, location, passed, passed ? null : rest);
    }

    /// <summary>Raised after a run's record changes (queued, started, ended), with the new record.</summary>
    public event Action<RunRecord>? Updated;

    /// <summary>The run's record once it has ended (at once if it already has).</summary>
    public async Task<RunRecord> WaitForEndAsync(string id, CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<RunRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnUpdated(RunRecord run)
        {
            if (run.Id == id && HasEnded(run)) ended.TrySetResult(run);
        }
        Updated += OnUpdated;
        try
        {
            if (Get(id) is { } now && HasEnded(now)) return now;
            return await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Updated -= OnUpdated;
        }
    }

    private static bool HasEnded(RunRecord run) => run.State is not (RunState.Queued or RunState.Running);

    private RunRecord Update(RunRecord run)
    {
        _runs[run.Id] = run;
        _store.Save(run);
        Updated?.Invoke(run);
        return run;
    }

    private static bool Inside(string root, string path) =>
        path.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal);

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
