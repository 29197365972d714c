namespace HilRig.Gateway.Cluster;

/// <summary>Where the master gateway learns how many commands wait for a device (the command dispatcher's queue).</summary>
public interface IPendingCommandSource
{
    /// <summary>Commands queued for or sent to the device and not yet answered.</summary>
    int PendingCommandCount(string deviceId);
}
