using HilRig.Protocol.Control;

namespace HilRig.Core.Servers;

/// <summary>
/// Where a chain campaign starts and its progress comes back: the comm module's control channel on the
/// virtual bench and when the rig itself is the module (docs/protocol.md §11).
/// </summary>
public interface IModuleChannel
{
    /// <summary>Every event the module reported so far.</summary>
    IReadOnlyList<ModuleEvent> History { get; }

    /// <summary>Hands a campaign to the module, waiting up to <paramref name="timeout"/> for it to be reachable.</summary>
    Task SendCampaignAsync(CampaignRequest campaign, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Waits for the next event matching <paramref name="match"/>; throws <see cref="TimeoutException"/> naming what was awaited.</summary>
    Task<ModuleEvent> WaitForEventAsync(Func<ModuleEvent, bool> match, string description, TimeSpan timeout, CancellationToken cancellationToken);
}
