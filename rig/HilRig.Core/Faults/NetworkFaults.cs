using HilRig.Core.Bench;
using HilRig.Core.Network;
using HilRig.Core.Verification;

namespace HilRig.Core.Faults;

/// <summary>
/// Fires when <paramref name="Bytes"/> bytes have flowed from the target server's HTTP endpoint to the
/// device since the fault was armed (the firmware downloads, seen at the network gate). It fires before
/// the chunk that crosses the count is forwarded, so an action that takes the network down stops the
/// download at that byte.
/// </summary>
/// <param name="Bytes">Bytes towards the device since arming.</param>
/// <param name="What">Words for the report ("50% of the module's firmware").</param>
public sealed record AtDownloadedBytes(long Bytes, string What) : IFaultTrigger
{
    /// <inheritdoc />
    public string Description => $"when the module has downloaded {What}";

    /// <inheritdoc />
    public async Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var gate = bench.RequireCloud().TargetHttpGate;
        var start = gate.BytesToDevice;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnForwarding(NetworkGate g, long forwarded, int chunk)
        {
            if (!fired.Task.IsCompleted && forwarded + chunk - start >= Bytes)
            {
                fired.TrySetResult();
                // Hold this chunk until the action has taken the network down (bounded), so the cut lands here.
                SpinWait.SpinUntil(() => g.IsDown, TimeSpan.FromSeconds(1));
            }
        }
        gate.ForwardingToDevice += OnForwarding;
        try
        {
            await fired.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.ForwardingToDevice -= OnForwarding;
        }
    }
}

/// <summary>Takes the device's whole network down (every gate: brokers and downloads) for a while.</summary>
public sealed record NetworkDown(TimeSpan Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"network down for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var cloud = context.Bench.RequireCloud();
        try
        {
            cloud.NetworkDown(Description);
            await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            cloud.NetworkUp();
        }
        return null;
    }
}

/// <summary>Stops a server's broker and starts it again on the same port after a while.</summary>
/// <param name="ServerId">The target server's id or a vendor server's.</param>
/// <param name="Downtime">How long it stays down.</param>
public sealed record BrokerRestart(string ServerId, TimeSpan Downtime) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"restart the broker of '{ServerId}', down for {Downtime.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var cloud = context.Bench.RequireCloud();
        var faults = ServerId == cloud.Wiring.TargetId ? cloud.Target.BrokerFaults : cloud.Vendor(ServerId).BrokerFaults;
        if (faults is null)
        {
            throw new InvalidOperationException($"the broker of '{ServerId}' is not embedded in the rig, so the rig cannot restart it");
        }
        await faults.RestartAsync(Downtime, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
