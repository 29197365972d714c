namespace HilRig.Core.Power;

/// <summary>
/// What can be done with a node's power, whatever switches it (a GPIO relay line, an external command,
/// or the virtual bench killing and restarting the node's process).
/// </summary>
public interface IPowerSwitch
{
    /// <summary>The node this switch feeds.</summary>
    string Node { get; }

    /// <summary>True when the rig last switched the node on.</summary>
    bool IsOn { get; }

    /// <summary>Switches the node on (no effect when it is on).</summary>
    Task OnAsync(CancellationToken cancellationToken);

    /// <summary>Switches the node off (no effect when it is off).</summary>
    Task OffAsync(CancellationToken cancellationToken);
}
