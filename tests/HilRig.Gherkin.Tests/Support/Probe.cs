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

    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>How many times <paramref name="key"/> was counted before, then counts it once more.</summary>
    public int CountBefore(string key)
    {
        lock (_lock)
        {
            var before = _counts.GetValueOrDefault(key);
            _counts[key] = before + 1;
            return before;
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
