namespace HilRig.Core.Wiring;

/// <summary>Whether a bench is emulated on this machine or wired to real boards.</summary>
public enum BenchKind
{
    /// <summary>Emulated chips and module on pseudo-terminals; power is switched by killing processes.</summary>
    Virtual,

    /// <summary>Real boards on real UARTs, GPIO relays or external power commands.</summary>
    Hardware,
}
