using HilRig.Gherkin.Reporting;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using System.Runtime.InteropServices;
using HilRig.Platform.Processes;
using HilRig.Platform.Shell;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HilRig.Service.Runs;

/// <summary>
/// The run queue: runs are queued per bench and executed one at a time per bench, each as a child
/// `hilrig run` process (the same code path as the command line, and a crash of a run cannot take the
/// service down). The child takes the bench's lock, so a run started from the command line on the same
/// bench makes the queued run wait. Stopping the service cancels the current runs: each child gets
/// SIGTERM, powers its bench off and flushes its reports. Each child is started with a parent-death signal
/// (<see cref="ChildProcesses"/>), so a run dies with a service that is killed; the next start marks such a run
/// interrupted and drives its bench to its safe state (<see cref="BenchRecovery"/>). Results come from the run's
/// Cucumber messages (<see cref="CucumberResults"/>), every status kept.
/// </summary>
public sealed partial class RunManager : BackgroundService
{
    private readonly ServeOptions _options;
    private readonly RunStore _store;
    private readonly ILogger<RunManager> _logger;
    private readonly ConcurrentDictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Channel<string>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _cancels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _cancelledByUser = new(StringComparer.Ordinal);
    private readonly List<RunRecord> _interrupted = [];
    private readonly List<Task> _workers = [];
    private readonly Lock _gate = new();
    private CancellationToken _stopping;

    /// <summary>Creates the manager and reads the run history back from disk.</summary>
    public RunManager(ServeOptions options, ILogger<RunManager> logger)
    {
        _options = options;
        _logger = logger;
        _store = new RunStore(options.DataDirectory);
        var problems = new List<string>();
        foreach (var run in _store.LoadAll(problems))
        {
            switch (run.State)
            {
                case RunState.Running:
                    // The service died under it (SIGKILL, a crash, power): the run died with it (parent-death signal)
                    // and no one powered its bench off. StartAsync does that and says so.
                    var interrupted = run with
                    {
                        State = RunState.Interrupted,
                        EndedAt = run.EndedAt ?? DateTimeOffset.Now,
                        Message = "interrupted: the service was killed or crashed while this run was running",
                    };
                    Update(interrupted);
                    _interrupted.Add(interrupted);
                    break;
                case RunState.Queued:
                    Update(run with { State = RunState.Cancelled, EndedAt = run.EndedAt ?? DateTimeOffset.Now, Message = "the service stopped before this run started" });
                    break;
                default:
                    _runs[run.Id] = run;
                    break;
            }
        }
        foreach (var p in problems) _logger.LogWarning("run history: {Problem}", RunRequestCheck.Relative(p, options.DataDirectory));
    }

    /// <summary>Drives the benches of runs the service lost to their safe state (see <see cref="BenchRecovery"/>), then starts the queue.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var lost in _interrupted)
        {
            string done;
            try
            {
                done = await BenchRecovery.SafeStateAsync(_options.RepositoryRoot, lost.Wiring, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                done = $"bench '{lost.Bench}' was not powered off: {RunRequestCheck.Relative(ex.Message, _options.RepositoryRoot)}";
            }
            _logger.LogWarning("run {Id} was interrupted (the service was killed or crashed while it ran): {Done}", lost.Id, done);
            Update((Get(lost.Id) ?? lost) with { Message = $"interrupted: the service was killed or crashed while this run was running; {done}" });
        }
        _interrupted.Clear();
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
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
        var (checkedRequest, error) = RunRequestCheck.Check(request, _options);
        if (checkedRequest is null) return (null, error);
        var seed = request.Seed ?? Random.Shared.Next(1, 1_000_000);
        var normalized = new RunRequest(checkedRequest.Features, checkedRequest.Tags, checkedRequest.Wiring, request.Seed);
        var run = new RunRecord
        {
            Id = NewId(),
            Request = normalized,
            Bench = checkedRequest.Bench.Name,
            Wiring = checkedRequest.Wiring,
            Seed = seed,
            State = RunState.Queued,
            QueuedAt = DateTimeOffset.Now,
            Reproduce = Reproduce(normalized, checkedRequest.Wiring, seed),
        };
        lock (_gate) Update(run);
        var queue = _queues.GetOrAdd(run.Bench, name =>
        {
            var channel = Channel.CreateUnbounded<string>();
            lock (_workers) _workers.Add(Task.Run(() => WorkAsync(name, channel.Reader)));
            return channel;
        });
        queue.Writer.TryWrite(run.Id);
        _logger.LogInformation("run {Id} queued on bench {Bench}", run.Id, run.Bench);
        return (run, null);
    }

    /// <summary>A run id: the UTC time to the millisecond (ids sort by time) and 96 random bits (no one guesses another run's id).</summary>
    public static string NewId() =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd-HHmmssfff}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}");

    /// <summary>
    /// The command that repeats a run from a checkout: `dotnet run --project rig/HilRig.Cli -- run ...`, paths relative
    /// to the checkout, every word quoted for a POSIX shell (<see cref="ShellQuote"/>), so pasting it runs exactly
    /// these words whatever a tag or a path holds.
    /// </summary>
    public static string Reproduce(RunRequest request, string wiring, int seed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = new List<string> { "dotnet", "run", "--project", "rig/HilRig.Cli", "--", "run" };
        words.AddRange(request.Features ?? []);
        words.AddRange(["--wiring", wiring, "--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        if (request.Tags is { Length: > 0 } tags) words.AddRange(["--tags", tags]);
        return ShellQuote.Join(words);
    }

    /// <summary>Cancels a queued or running run; false when it has already ended or does not exist.</summary>
    public bool Cancel(string id)
    {
        if (Get(id) is not { State: RunState.Queued or RunState.Running } run) return false;
        if (_cancels.TryGetValue(id, out var cts))
        {
            _cancelledByUser[id] = true;
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
                Update((Get(id) ?? run) with { State = RunState.Failed, EndedAt = DateTimeOffset.Now, Message = $"the run could not be executed: {RunRequestCheck.Relative(ex.Message, _options.RepositoryRoot)}" });
            }
            finally
            {
                _cancels.TryRemove(id, out _);
                _cancelledByUser.TryRemove(id, out _);
            }
        }
    }

    private async Task ExecuteRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var directory = _store.DirectoryOf(run.Id);
        var reports = Path.Combine(directory, "reports");
        // One bench per run: the live page follows one scenario at a time, and the bench's lock is the service's queue.
        var args = new List<string> { "run", "--parallel", "1" };
        args.AddRange(run.Request.Features ?? []);
        args.AddRange(["--wiring", Path.Combine(_options.RepositoryRoot, run.Wiring), "--seed", run.Seed.ToString(CultureInfo.InvariantCulture), "--out", reports]);
        if (run.Request.Tags is { Length: > 0 } tags) args.AddRange(["--tags", tags]);
        var (file, prefix) = _options.RunProgram ?? throw new InvalidOperationException("the service was started without a program for its runs (ServeOptions.RunProgram; `hilrig serve` sets it)");
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = _options.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args)) info.ArgumentList.Add(a);
        run = Update(run with { State = RunState.Running, StartedAt = DateTimeOffset.Now });
        _logger.LogInformation("run {Id} started: {Command}", run.Id, run.Reproduce);

        using var log = new RunLog(Path.Combine(directory, "run.log"));
        var progress = new RunProgress(Path.Combine(reports, "cucumber-messages.ndjson"), run.Bench);
        var gate = new Lock();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => log.Write(e.Data, false);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data, true);
        // With a parent-death signal: if the service is killed, the run dies with it instead of driving the bench unwatched.
        ChildProcesses.Start(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var following = new CancellationTokenSource();
        var follow = FollowAsync(run.Id, process.Id, progress, gate, following.Token);
        var stopped = false;
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopped = true;
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
        await following.CancelAsync().ConfigureAwait(false);
        await follow.ConfigureAwait(false);
        RunRecord done;
        lock (gate)
        {
            progress.ReadResults();
            done = Update(Get(run.Id)!.WithScenarios([.. progress.Results]));
        }
        var byUser = _cancelledByUser.ContainsKey(run.Id);
        var (state, message) = (stopped, byUser) switch
        {
            (true, true) => (RunState.Cancelled, "cancelled"),
            (true, false) => (RunState.Interrupted, "interrupted: the service stopped while this run was running; the run was told to stop (SIGTERM) and powered its bench off"),
            _ when process.ExitCode == 0 && done.Scenarios.Count == 0 => (RunState.Failed, "hilrig run exited 0 but its Cucumber messages (reports/cucumber-messages.ndjson) hold no scenario result; see run.log"),
            // A "waiting for the bench" note from the run's start is stale once it has ended.
            _ when process.ExitCode == 0 && done.Unsuccessful == 0 => (RunState.Passed, done.Skipped > 0 ? Summary(done) : (string?)null),
            _ when done.Unsuccessful > 0 => (RunState.Failed, $"not every scenario passed: {Summary(done)}"),
            _ => (RunState.Failed, $"hilrig run ended with exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}; see run.log"),
        };
        Update(done with { State = state, EndedAt = DateTimeOffset.Now, Message = message });
        _logger.LogInformation("run {Id} ended: {State} ({Summary})", run.Id, state, Summary(done));
    }

    /// <summary>
    /// While the run's process lives: its scenarios from the Cucumber messages as they are written, and a note while it
    /// waits for a bench another process holds (gone once the run has the bench).
    /// </summary>
    private async Task FollowAsync(string id, int pid, RunProgress progress, Lock gate, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RunProgress.PollInterval);
        string? shown = null;
        try
        {
            do
            {
                lock (gate)
                {
                    if (progress.ReadResults()) Update(Get(id)!.WithScenarios([.. progress.Results]));
                    var note = progress.Waiting(pid) is { } waiting ? RunRequestCheck.Relative(waiting, _options.RepositoryRoot) : null;
                    // A note replaces any message; its end clears only the note itself.
                    if (note != shown && (note is not null || Get(id)!.Message == shown))
                    {
                        Update(Get(id)! with { Message = note });
                    }
                    shown = note;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The run ended: its final read follows.
        }
    }

    /// <summary>"3 passed, 1 failed, 1 undefined": the counts that are not zero.</summary>
    public static string Summary(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var counts = new[] { (run.Passed, "passed"), (run.Failed, "failed"), (run.Undefined, "undefined"), (run.Ambiguous, "ambiguous"), (run.Pending, "pending"), (run.Skipped, "skipped") }
            .Where(c => c.Item1 > 0).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Item1} {c.Item2}")).ToList();
        return counts.Count == 0 ? "no scenario ran" : string.Join(", ", counts);
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

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
