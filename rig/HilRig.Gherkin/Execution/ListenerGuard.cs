using HilRig.Gherkin.Reporting;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// Calls the run's listeners one after another so that none can hurt the run or the others: an exception from a
/// listener (a report writer on a full disk, a text its format cannot hold, a bug) is caught, reported once per
/// listener as one line on <see cref="RunOptions.ListenerErrors"/>, and the run and every other listener go on.
/// The listener that threw is still called for later events, so a writer that failed once (a disk that filled and
/// was freed) can still finish its file; its later errors are not repeated.
/// </summary>
internal sealed class ListenerGuard(IReadOnlyList<IRunListener> listeners, TextWriter errors)
{
    private readonly HashSet<IRunListener> _reported = new(ReferenceEqualityComparer.Instance);
    private readonly object _sync = new();

    /// <summary>Calls <paramref name="call"/> (named <paramref name="eventName"/> in a report) on every listener.</summary>
    public void Notify(string eventName, Action<IRunListener> call)
    {
        foreach (var listener in listeners)
        {
            try
            {
                call(listener);
            }
            catch (Exception exception)
            {
                Report(listener, eventName, exception);
            }
        }
    }

    private void Report(IRunListener listener, string eventName, Exception exception)
    {
        lock (_sync)
        {
            if (!_reported.Add(listener))
            {
                return;
            }
        }

        try
        {
            errors.WriteLine(PrintableText.Of(
                $"hilrig: report listener {listener.GetType().Name} failed in {eventName} ({exception.GetType().Name}: {exception.Message}); "
                + "the run and the other reports go on, later errors of this listener are not repeated", keepLineBreaks: false));
            errors.Flush();
        }
        catch (Exception)
        {
            // The error output itself failed (stderr closed by a service that went away): nothing left to tell,
            // and the run still must not stop for it.
        }
    }
}
