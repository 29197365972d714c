namespace HilRig.Protocol.Messages;

/// <summary>The four chip modes (docs/protocol.md §6).</summary>
public enum ChipMode : byte
{
    /// <summary>Normal operation; forwards chain traffic.</summary>
    Initial = 0,
    /// <summary>This chip is the upgrade target; it writes the image.</summary>
    Upgrade = 1,
    /// <summary>Not yet upgraded; forwards everything not addressed to it.</summary>
    PassThrough = 2,
    /// <summary>Already upgraded; low power, ignores all but COMPLETE.</summary>
    Sleep = 3,
}

/// <summary>Where a chip stands in the current campaign (docs/protocol.md §9).</summary>
public enum UpgradeState : byte
{
    /// <summary>No transfer under way.</summary>
    Idle = 0,
    /// <summary>Receiving an image into the inactive slot.</summary>
    Receiving = 1,
    /// <summary>Image received and its digest checked; activation pending.</summary>
    Verified = 2,
    /// <summary>Upgraded in the campaign recorded in the mark.</summary>
    Done = 3,
    /// <summary>The last image was rejected (see COMPLETE status).</summary>
    Failed = 4,
}
