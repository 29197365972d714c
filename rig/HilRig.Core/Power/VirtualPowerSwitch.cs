using HilRig.Core.Nodes;
using HilRig.Core.Timeline;

namespace HilRig.Core.Power;

/// <summary>
/// Power for an emulated node: off kills the node's process (its volatile state is gone, its flash file
/// stays), on starts it again, and it boots from that flash.
/// </summary>
public sealed class VirtualPowerSwitch(string node, Func<NodeProcess> start, BenchTimeline timeline) : IPowerSwitch, IAsyncDisposable
{
    private readonly SemaphoreSlim _switching = new(1, 1);
    private NodeProcess? _process;

    /// <inheritdoc />
    public string Node { get; } = node;

    /// <inheritdoc />
    public bool IsOn => _process is not null;

    /// <summary>The node's current process, while it is on.</summary>
    public NodeProcess? Process => _process;

    /// <summary>Raised when the node's process ends by itself (a crash, or a power cut the chip emulates inside a flash operation), with its exit code.</summary>
    public event Action<int>? DiedOnItsOwn;

    /// <summary>Raised just before the node's process starts (each power-on).</summary>
    public event Action? PoweringOn;

    /// <summary>
    /// Awaited before every power-on, before the node's process starts (a command chip's firmware build,
    /// which runs once): whoever waits for the node to answer after <see cref="OnAsync"/> does not count it.
    /// </summary>
    public Func<CancellationToken, Task>? BeforePowerOn { get; init; }

    /// <inheritdoc />
    public async Task OnAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is null && BeforePowerOn is { } prepare)
            {
                await prepare(cancellationToken).ConfigureAwait(false);
            }
            StartIfOff();
        }
        finally
        {
            _switching.Release();
        }
    }

    private void StartIfOff()
    {
        if (_process is null)
        {
            timeline.AddPower(Node, on: true);
            PoweringOn?.Invoke();
            var process = start();
            _process = process;
            _ = process.Exited.ContinueWith(t =>
            {
                if (!process.KilledByRig)
                {
                    timeline.Add(Node, "process", $"ended by itself with exit code {t.Result}");
                    DiedOnItsOwn?.Invoke(t.Result);
                }
            }, TaskScheduler.Default);
        }
    }

    /// <summary>Waits until the node has booted (its boot record is out), at most <paramref name="timeout"/>.</summary>
    public async Task WaitBootedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_process is { } process)
        {
            await process.Booted.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task OffAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is { } process)
            {
                _process = null;
                timeline.AddPower(Node, on: false);
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await OffAsync(CancellationToken.None).ConfigureAwait(false);
}
