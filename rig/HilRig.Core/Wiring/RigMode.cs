namespace HilRig.Core.Wiring;

/// <summary>How the rig sits in a UART link.</summary>
public enum RigMode
{
    /// <summary>The rig has a UART on each side and forwards, decodes, logs and can break the link.</summary>
    Relay,

    /// <summary>The rig only listens to the link.</summary>
    Tap,

    /// <summary>The two ends are wired to each other; the rig sees nothing.</summary>
    Direct,
}
