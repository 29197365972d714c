namespace HilRig.Core.Faults;

/// <summary>
/// A node dies: its power goes off and stays off until a step turns it on again (a chip that dies in the middle of its
/// upgrade, for failure isolation). No recovery check: nothing comes back by itself.
/// </summary>
public sealed record PowerOffForGood(string Node) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"power off {Node} for good";

    /// <inheritdoc />
    public async Task<Verification.RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        await context.Bench.Power(Node).OffAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }
}
