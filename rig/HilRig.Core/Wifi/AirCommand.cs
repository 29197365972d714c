using System.ComponentModel;
using System.Diagnostics;
using HilRig.Platform.Processes;

namespace HilRig.Core.Wifi;

/// <summary>What a command of the air left: its exit code and what it printed (trimmed).</summary>
internal sealed record AirCommandResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The first line of what it said on stderr (or stdout), for a one-line message.</summary>
    public string FirstLine
    {
        get
        {
            var text = Stderr.Length > 0 ? Stderr : Stdout;
            var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return line ?? $"exit code {ExitCode}";
        }
    }
}

/// <summary>
/// Runs the short commands that build the air (iproute2's <c>ip</c>), as children of the rig
/// (<see cref="ChildProcesses"/>), without a shell: every word is one argument.
/// </summary>
internal static class AirCommand
{
    /// <summary>No <c>ip</c> command takes long; one that hangs is killed after this.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>Where iproute2's ip is, or null.</summary>
    public static string? Ip => Find("ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");

    /// <summary>The first of <paramref name="candidates"/> that exists, else <paramref name="name"/> found on PATH, else null.</summary>
    public static string? Find(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate)) return candidate;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Runs <paramref name="words"/> (the program first) and returns what it left; throws only when it cannot start or overruns.</summary>
    public static async Task<AirCommandResult> RunAsync(IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.Skip(1)) info.ArgumentList.Add(word);
        Process process;
        try
        {
            process = ChildProcesses.Start(info);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"`{Display(words)}` could not be started: {ex.Message}", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Limit);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested) throw;
                throw new TimeoutException($"`{Display(words)}` did not finish within {Limit.TotalSeconds:0} s");
            }
            return new AirCommandResult(process.ExitCode, (await stdout.ConfigureAwait(false)).Trim(), (await stderr.ConfigureAwait(false)).Trim());
        }
    }

    /// <summary>Runs <paramref name="words"/>; throws <see cref="InvalidOperationException"/> with the command and its first line when it fails.</summary>
    public static async Task<string> RunCheckedAsync(IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        var result = await RunAsync(words, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{Display(words)}` failed: {result.FirstLine}");
        }
        return result.Stdout;
    }

    /// <summary>The command as a message shows it: the program by its name, not its path.</summary>
    public static string Display(IReadOnlyList<string> words) => string.Join(' ', words.Skip(1).Prepend(Path.GetFileName(words[0])));

    /// <summary>Runs iproute2's ip with <paramref name="arguments"/>; throws as <see cref="RunCheckedAsync"/> does.</summary>
    public static Task<string> IpAsync(CancellationToken cancellationToken, params string[] arguments) =>
        RunCheckedAsync([Ip ?? throw new InvalidOperationException("iproute2's `ip` is not installed"), .. arguments], cancellationToken);
}
