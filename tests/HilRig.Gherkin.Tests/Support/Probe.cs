namespace HilRig.Gherkin.Tests.Support;

/// <summary>A run-wide event log that bindings write to and tests read; registered through RunOptions.ConfigureServices.</summary>
public sealed class Probe
{
    private readonly List<string> _events = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToList();
            }
        }
    }

    public void Add(string text)
    {
        lock (_lock)
        {
            _events.Add(text);
        }
    }
}
