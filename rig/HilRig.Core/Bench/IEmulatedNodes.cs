using HilRig.Core.Nodes;

namespace HilRig.Core.Bench;

/// <summary>
/// A bench whose chips the rig starts itself (the virtual bench): how each is started, and word when one ends by
/// itself. Only what needs the emulated chips' own test hooks uses it (a power cut planned inside the Nth flash
/// operation); a hardware bench does not offer it.
/// </summary>
public interface IEmulatedNodes
{
    /// <summary>How a chip is started: extra arguments for every start or for the next one.</summary>
    NodeLaunch Launch(string chip);

    /// <summary>Raised when a node's process ends by itself (not by a power switch), with the node's name and its exit code.</summary>
    event Action<string, int>? NodeEndedByItself;
}
