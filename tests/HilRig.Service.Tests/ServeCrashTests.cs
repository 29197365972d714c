using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HilRig.Cli;
using HilRig.Platform.Processes;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// `hilrig serve` killed with SIGKILL in the middle of a run: no process of that run (the child `hilrig run`, its
/// chips) survives 5 s later, and the restarted service shows the run as interrupted, its bench powered off.
/// </summary>
public sealed class ServeCrashTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly string _scratch = Directory.CreateTempSubdirectory("hilrig-serve-kill-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Sigkill_in_the_middle_of_a_run_leaves_nothing_running_and_the_restarted_service_says_interrupted()
    {
        var data = Path.Combine(_scratch, "data");
        var runtime = Directory.CreateDirectory(Path.Combine(_scratch, "runtime")).FullName;
        var (serve, address) = await StartServeAsync(data, runtime);
        string runId;
        try
        {
            using var http = Client(address);
            // The far-to-near upgrade of three chips: seconds long, so the kill lands in the middle.
            var queued = await http.PostAsJsonAsync("/api/runs", new RunRequest(["scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12"], null, null, 9), ServiceUnderTest.Json, Token);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, queued.StatusCode);
            runId = (await queued.Content.ReadFromJsonAsync<RunRecord>(ServiceUnderTest.Json, Token))!.Id;
            var processes = await WaitForRunProcessesAsync(runtime, serve.Id);

            serve.Kill();
            await serve.WaitForExitAsync(Token);

            foreach (var (identity, command) in processes)
            {
                Assert.True(await identity.WaitForExitAsync(TimeSpan.FromSeconds(5), Token),
                    $"pid {identity.Pid} ({command}) still runs 5 s after hilrig serve was killed");
            }
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            serve.Dispose();
        }

        var (again, againAddress) = await StartServeAsync(data, runtime);
        try
        {
            using var http = Client(againAddress);
            using var record = JsonDocument.Parse(await http.GetStringAsync($"/api/runs/{runId}", Token));
            var root = record.RootElement;
            Assert.Equal("Interrupted", root.GetProperty("state").GetString());
            var message = root.GetProperty("message").GetString() ?? "";
            Assert.Contains("interrupted: the service was killed or crashed while this run was running", message, StringComparison.Ordinal);
            // A virtual bench's nodes were the run's processes (gone, as checked above): nothing is left powered.
            Assert.Contains("bench 'sim-chain' is virtual: its nodes were processes of the run and ended with it, nothing to power off", message, StringComparison.Ordinal);
        }
        finally
        {
            again.Kill(entireProcessTree: true);
            await again.WaitForExitAsync(Token);
            again.Dispose();
        }
    }

    private static HttpClient Client(Uri address)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-HilRig", "1");
        return http;
    }

    /// <summary>Waits until the service's child `hilrig run` has started the three chips; returns every process of the run.</summary>
    private static async Task<List<(ProcessIdentity Identity, string Command)>> WaitForRunProcessesAsync(string runtime, int servePid)
    {
        var serveOwner = Path.Combine(runtime, "children", ProcessIdentity.Of(servePid)!.Value.ToString());
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(runtime) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, _) => changed.Release();
        watcher.Changed += (_, _) => changed.Release();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            var found = new List<(ProcessIdentity, string)>();
            foreach (var run in ChildRegistry.Recorded(serveOwner))
            {
                found.Add(run);
                found.AddRange(ChildRegistry.Recorded(Path.Combine(runtime, "children", run.Child.ToString())));
            }
            if (found.Count(f => f.Item2.Contains("hilrig-node.dll chip", StringComparison.Ordinal)) >= 3) return found;
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!Token.IsCancellationRequested)
            {
                Assert.Fail($"the service's run did not start its chips within 120 s; recorded: {string.Join("; ", found.Select(f => f.Item2))}");
            }
        }
    }

    private async Task<(Process Serve, Uri Address)> StartServeAsync(string data, string runtime)
    {
        var (file, prefix) = HilrigExecutable.Resolve();
        var info = new ProcessStartInfo(file) { WorkingDirectory = ServiceUnderTest.RepoRoot(), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["serve", "--port", "0", "--data", data])) info.ArgumentList.Add(a);
        info.Environment["HILRIG_RUNTIME_DIR"] = runtime;
        info.Environment["HILRIG_LOCK_DIR"] = Path.Combine(_scratch, "locks");
        var serve = Process.Start(info)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.OutputDataReceived += (_, e) =>
        {
            var at = e.Data?.IndexOf("listening on ", StringComparison.Ordinal) ?? -1;
            if (at >= 0) listening.TrySetResult(new Uri(e.Data![(at + 13)..].Split(' ')[0]));
        };
        serve.ErrorDataReceived += (_, _) => { };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        return (serve, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), Token));
    }
}
