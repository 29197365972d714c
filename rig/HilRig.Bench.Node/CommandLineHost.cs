using System.CommandLine;

namespace HilRig.Bench.Node;

/// <summary>How a hilrig program (`hilrig`, `hilrig-node`) runs its command line: the same parser settings and the
/// same one-line answer to a cancellation or an unexpected error.</summary>
public static class CommandLineHost
{
    /// <summary>
    /// Runs <paramref name="root"/> on <paramref name="args"/> with no response files (tag expressions start with '@'),
    /// giving a cancelled command <paramref name="terminationTimeout"/> to end (null: signals are left to the host);
    /// 130 when cancelled, 1 after one line naming <paramref name="program"/> on an error (HILRIG_DEBUG=1: the stack trace).
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, string program, TimeSpan? terminationTimeout)
    {
        ArgumentNullException.ThrowIfNull(root);
        try
        {
            var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = terminationTimeout };
            return await root.Parse(args, parser).InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{program}: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("HILRIG_DEBUG") is null or "" or "0")
        {
            // One clear line for the user; HILRIG_DEBUG=1 shows the stack trace for a bug report.
            await Console.Error.WriteLineAsync($"{program}: {ex.Message} ({ex.GetType().Name}; set HILRIG_DEBUG=1 for details)").ConfigureAwait(false);
            return 1;
        }
    }
}
