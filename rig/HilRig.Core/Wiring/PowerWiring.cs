namespace HilRig.Core.Wiring;

/// <summary>
/// How a node's power is switched. One subtype per power backend. The source position is called
/// <see cref="SourceLine"/> here (not <c>Line</c> as on the other wiring records) because
/// <see cref="GpioPower.Line"/> is the GPIO line.
/// </summary>
/// <param name="SourceLine">Line of the <c>power</c> entry in the wiring file.</param>
public abstract record PowerWiring(int SourceLine)
{
    /// <summary>The value of the <c>kind</c> key for this backend.</summary>
    public abstract string KindName { get; }
}

/// <summary>Power of an emulated node: switching off kills it, switching on restarts it.</summary>
public sealed record VirtualPower(int SourceLine = 0) : PowerWiring(SourceLine)
{
    /// <inheritdoc />
    public override string KindName => "virtual";
}

/// <summary>A relay driven by a GPIO line (System.Device.Gpio).</summary>
/// <param name="Chip">GPIO chip, e.g. <c>gpiochip0</c>.</param>
/// <param name="Line">Line offset on that chip.</param>
/// <param name="ActiveLow">True when the relay closes (power on) with the line driven low, as on most relay boards.</param>
/// <param name="SourceLine">Line of the <c>power</c> entry in the wiring file.</param>
public sealed record GpioPower(string Chip, int Line, bool ActiveLow, int SourceLine = 0) : PowerWiring(SourceLine)
{
    /// <inheritdoc />
    public override string KindName => "gpio";
}

/// <summary>External commands that switch power (USB hub ports, PDUs), like labgrid's ExternalPowerDriver.</summary>
/// <param name="On">Shell command that switches the node on.</param>
/// <param name="Off">Shell command that switches the node off.</param>
/// <param name="Status">Optional shell command whose exit code tells whether the node is powered (0 = on).</param>
/// <param name="SourceLine">Line of the <c>power</c> entry in the wiring file.</param>
public sealed record CommandPower(string On, string Off, string? Status, int SourceLine = 0) : PowerWiring(SourceLine)
{
    /// <inheritdoc />
    public override string KindName => "command";
}
