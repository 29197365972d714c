namespace HilRig.Service.Runs;

/// <summary>
/// run.log: a run's console output kept for people, line by line as it comes (stderr lines marked "stderr: "). The
/// service reads nothing from it: what a run did comes from its Cucumber messages (<see cref="RunProgress"/>).
/// </summary>
internal sealed class RunLog(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path, append: true) { AutoFlush = true };
    private readonly Lock _gate = new();

    /// <summary>Keeps one console line of the run (null: the stream ended).</summary>
    public void Write(string? line, bool error)
    {
        if (line is null) return;
        lock (_gate)
        {
            _writer.WriteLine(error ? "stderr: " + line : line);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
