using HilRig.Core.Timeline;

namespace HilRig.Core.Power;

/// <summary>
/// A hardware power switch as the bench uses it: every switching goes to the timeline (the picture and the
/// reports show it as they show the virtual bench's), and <see cref="PoweringOn"/> is raised just before power
/// returns, so the relays drop the half frame the node's last power loss left.
/// </summary>
public sealed class TimelinePowerSwitch(IPowerSwitch inner, BenchTimeline timeline) : IPowerSwitch, IDisposable
{
    /// <summary>Raised just before the node is switched on.</summary>
    public event Action? PoweringOn;

    /// <summary>The backend underneath.</summary>
    public IPowerSwitch Inner => inner;

    /// <inheritdoc />
    public string Node => inner.Node;

    /// <inheritdoc />
    public bool IsOn => inner.IsOn;

    /// <inheritdoc />
    public async Task OnAsync(CancellationToken cancellationToken)
    {
        PoweringOn?.Invoke();
        await inner.OnAsync(cancellationToken).ConfigureAwait(false);
        timeline.AddPower(Node, on: true);
    }

    /// <inheritdoc />
    public async Task OffAsync(CancellationToken cancellationToken)
    {
        await inner.OffAsync(cancellationToken).ConfigureAwait(false);
        timeline.AddPower(Node, on: false);
    }

    /// <inheritdoc />
    public void Dispose() => (inner as IDisposable)?.Dispose();
}
