using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using HilRig.Cli;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>`hilrig serve` as systemd runs it: a process that is stopped with SIGTERM in the middle of a run.</summary>
public sealed partial class ServeProcessTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_in_the_middle_of_a_run_interrupts_it_powers_the_bench_off_and_exits_cleanly()
    {
        var root = ServiceUnderTest.RepoRoot();
        var data = Directory.CreateTempSubdirectory("hilrig-serve-sigterm-").FullName;
        var (file, prefix) = HilrigExecutable.Resolve();
        var info = new ProcessStartInfo(file) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["serve", "--port", "0", "--data", data])) info.ArgumentList.Add(a);
        using var serve = Process.Start(info)!;
        var output = new List<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.Add(e.Data);
            var at = e.Data.IndexOf("listening on ", StringComparison.Ordinal);
            if (at >= 0) listening.TrySetResult(new Uri(e.Data[(at + 13)..].Split(' ')[0]));
        };
        serve.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Add("X-HilRig", "1");
            // The far-to-near upgrade of three chips: seconds long, so SIGTERM lands in the middle.
            var queued = await http.PostAsJsonAsync("/api/runs", new RunRequest(["scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12"], null, null, 9), ServiceUnderTest.Json, Token);
            var run = (await queued.Content.ReadFromJsonAsync<RunRecord>(ServiceUnderTest.Json, Token))!;
            // Wait until the bench is up: a chip's flash file appears under the run's directory. Any change in the tree
            // looks again (a watch on a just-created subdirectory can miss the first file written into it).
            var benchUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Look()
            {
                if (Directory.EnumerateFiles(data, "chip3.bin", SearchOption.AllDirectories).Any(f => f.Contains(run.Id, StringComparison.Ordinal))) benchUp.TrySetResult();
            }
            using var watcher = new FileSystemWatcher(data) { IncludeSubdirectories = true };
            watcher.Created += (_, _) => Look();
            watcher.Changed += (_, _) => Look();
            watcher.EnableRaisingEvents = true;
            Look();
            await benchUp.Task.WaitAsync(TimeSpan.FromSeconds(90), Token);

            Assert.Equal(0, Kill(serve.Id, 15));
            using var exit = CancellationTokenSource.CreateLinkedTokenSource(Token);
            exit.CancelAfter(TimeSpan.FromSeconds(60));
            await serve.WaitForExitAsync(exit.Token);

            Assert.Equal(0, serve.ExitCode);
            var record = await File.ReadAllTextAsync(Path.Combine(data, run.Id, "run.json"), Token);
            // Stopped by the service, not by a user: interrupted, and the record says the run powered its bench off.
            Assert.Contains("\"state\": \"Interrupted\"", record, StringComparison.Ordinal);
            Assert.Contains("powered its bench off", record, StringComparison.Ordinal);
            // Nothing of the bench is left running: no chip or module process works in this run's directory.
            var leftovers = Directory.EnumerateDirectories("/proc").Select(p => Path.Combine(p, "cmdline"))
                .Where(File.Exists).Select(p => { try { return File.ReadAllText(p); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; } })
                .Where(c => c.Contains(data, StringComparison.Ordinal)).ToList();
            Assert.True(leftovers.Count == 0, $"still running after the service stopped: {string.Join(" | ", leftovers.Select(c => c.Replace('\0', ' ')))}");
            lock (output) Assert.Contains(output, l => l.Contains("stopping; current runs are cancelled", StringComparison.Ordinal));
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            Directory.Delete(data, recursive: true);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
