using System.Diagnostics;
using HilRig.Core.Nodes;

namespace HilRig.Cli.Tests;

/// <summary>Runs the real `hilrig` executable as a user would and captures what it prints.</summary>
internal static class HilrigProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string All => StandardOutput + StandardError;
    }

    public static string RepoRoot() => TestRepository.Root;

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) =>
        RunWithEnvironmentAsync(workingDirectory, new Dictionary<string, string>(), args);

    public static async Task<Result> RunWithEnvironmentAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (file, prefix) = HilrigExecutable.Resolve();
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args)) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
