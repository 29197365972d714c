using HilRig.Core.Bench;
using HilRig.Core.Verification;
using HilRig.Core.Wifi;

namespace HilRig.Core.Faults;

/// <summary>The bench's air (the network double or a Pi's access point), or a clear error naming what the wiring lacks.</summary>
internal static class AirOf
{
    public static IBenchAir Require(IBench bench) => bench.RequireCloud().Air ?? throw new InvalidOperationException(
        $"bench '{bench.Wiring.Name}' has no bench network (network: air: in its wiring file, docs/wiring.md), so the rig cannot act on its WiFi; "
        + "its servers are reached over loopback, where only the network gates (\"the network will go down ...\") apply");
}

/// <summary>
/// Deauthenticates the module: its WiFi link goes at once, and the access point lets it join again (on the double after
/// <see cref="AirFaultTimes.Deauthenticated"/>). The module sees its link go, drops its connections and joins again
/// (association, DHCP, names) on its own.
/// </summary>
public sealed record WifiDeauthentication : IFaultAction
{
    /// <inheritdoc />
    public string Description => "deauthenticate the module from the access point";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        await AirOf.Require(context.Bench).DropStationAsync(Description, cancellationToken).ConfigureAwait(false);
        return null;
    }
}

/// <summary>Takes the access point off the air for <paramref name="Duration"/>: no link, no beacon; the module cannot join until it is back.</summary>
public sealed record AccessPointAway(TimeSpan Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"access point off the air for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var air = AirOf.Require(context.Bench);
        await air.AccessPointDownAsync(Description, cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await air.AccessPointUpAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return null;
    }
}

/// <summary>The access point deauthenticates the module and refuses its association for <paramref name="Duration"/>, then admits it again.</summary>
public sealed record AssociationRefused(TimeSpan Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"access point refuses the module's association for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var air = AirOf.Require(context.Bench);
        await air.RefuseAssociationAsync(true, Description, cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await air.RefuseAssociationAsync(false, "the refusal ends", CancellationToken.None).ConfigureAwait(false);
        }
        return null;
    }
}
