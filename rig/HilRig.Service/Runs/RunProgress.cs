using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Gherkin.Reporting;
using HilRig.Platform.Processes;

namespace HilRig.Service.Runs;

/// <summary>
/// Follows a running `hilrig run` from what it writes for machines, never from its console: the scenarios from its
/// Cucumber messages (reports/cucumber-messages.ndjson, appended as each scenario ends), and who holds the bench while
/// the run waits for it (the bench lock's owner record, "pid N (purpose) since ...", in <paramref name="lockDirectory"/>,
/// null: the default lock directory).
/// </summary>
internal sealed class RunProgress(string messagesPath, string bench, string? lockDirectory = null)
{
    /// <summary>How often a running run's files are read again (a scenario takes seconds; the page polls each second).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly CucumberResults _results = new(messagesPath);

    /// <summary>The scenarios finished so far.</summary>
    public IReadOnlyList<ScenarioResult> Results => _results.Results;

    /// <summary>Reads what the Cucumber messages gained since the last call; true when a scenario finished.</summary>
    public bool ReadResults() => _results.Read();

    /// <summary>
    /// "bench 'B' is in use by pid N (...); waiting for it" while another live process than the run (<paramref name="runPid"/>)
    /// holds the bench's lock; null otherwise (free, or the run's own).
    /// </summary>
    public string? Waiting(int runPid)
    {
        var holder = BenchLock.Holder(bench, lockDirectory);
        if (!holder.StartsWith("pid ", StringComparison.Ordinal)) return null;
        var end = holder.IndexOf(' ', 4);
        if (!int.TryParse(holder.AsSpan(4, (end < 0 ? holder.Length : end) - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        if (pid == runPid || ProcessIdentity.Of(pid) is not { IsAlive: true }) return null;
        return $"bench '{bench}' is in use by {holder}; waiting for it";
    }
}
