using HilRig.Core.Nodes;
using HilRig.Core.Timeline;

namespace HilRig.Core.Power;

/// <summary>
/// Power for an emulated node: off kills the node's process (its volatile state is gone, its flash file
/// stays), on starts it again, and it boots from that flash.
/// </summary>
public sealed class VirtualPowerSwitch(string node, Func<NodeProcess> start, BenchTimeline timeline) : IPowerSwitch, IAsyncDisposable
{
    private NodeProcess? _process;

    /// <inheritdoc />
    public string Node { get; } = node;

    /// <inheritdoc />
    public bool IsOn => _process is not null;

    /// <inheritdoc />
    public Task OnAsync(CancellationToken cancellationToken)
    {
        if (_process is null)
        {
            timeline.Add(Node, "power", "on");
            _process = start();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task OffAsync(CancellationToken cancellationToken)
    {
        if (_process is { } process)
        {
            _process = null;
            timeline.Add(Node, "power", "off");
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await OffAsync(CancellationToken.None).ConfigureAwait(false);
}
