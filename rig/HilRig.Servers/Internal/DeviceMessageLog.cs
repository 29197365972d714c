namespace HilRig.Servers.Internal;

/// <summary>
/// Messages kept per device, with waiters: a wait is satisfied by a message already kept or by the next one that
/// matches. Used for the target server's device events and a vendor server's status reports.
/// </summary>
internal sealed class DeviceMessageLog<T>(string what, Func<T, string> describe) where T : class
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<T>> _byDevice = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiters = new();

    private sealed record Waiter(string DeviceId, Func<T, bool> Match, TaskCompletionSource<T> Done);

    public void Add(string deviceId, T message)
    {
        List<Waiter> satisfied;
        lock (_gate)
        {
            if (!_byDevice.TryGetValue(deviceId, out var list))
            {
                _byDevice[deviceId] = list = new List<T>();
            }
            list.Add(message);
            satisfied = _waiters.Where(w => w.DeviceId == deviceId && w.Match(message)).ToList();
            _waiters.RemoveAll(satisfied.Contains);
        }
        foreach (var waiter in satisfied)
        {
            waiter.Done.TrySetResult(message);
        }
    }

    public IReadOnlyList<T> Of(string deviceId)
    {
        lock (_gate)
        {
            return _byDevice.TryGetValue(deviceId, out var list) ? list.ToList() : [];
        }
    }

    public T? Latest(string deviceId)
    {
        lock (_gate)
        {
            return _byDevice.TryGetValue(deviceId, out var list) ? list.LastOrDefault() : null;
        }
    }

    public async Task<T> WaitAsync(string source, string deviceId, Func<T, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(deviceId, match, new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            if (_byDevice.TryGetValue(deviceId, out var list) && list.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }
            _waiters.Add(waiter);
        }
        try
        {
            return await waiter.Done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var last = Latest(deviceId);
            throw new TimeoutException(
                $"{source}: no {what} '{description}' from {deviceId} within {timeout.TotalSeconds:0.###} s " +
                $"(last {what} seen: {(last is null ? "none" : describe(last))})");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }
}
