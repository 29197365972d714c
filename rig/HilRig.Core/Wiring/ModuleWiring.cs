namespace HilRig.Core.Wiring;

/// <summary>The comm (WiFi) module at the head of the chain. There is exactly one; its node name is <see cref="Name"/>.</summary>
/// <param name="Power">How the module's power is switched.</param>
/// <param name="Command">
/// Optional executable to run instead of the built-in emulated module (virtual benches), a
/// <see cref="CommandTemplate"/>.
/// </param>
/// <param name="Sensor">Optional current sensor on the module's supply.</param>
/// <param name="Line">Line of the <c>module</c> entry in the wiring file.</param>
public sealed record ModuleWiring(PowerWiring Power, string? Command = null, SensorWiring? Sensor = null, int Line = 0)
{
    /// <summary>The WiFi firmware image programmed into the emulated module's slot A when its flash is new (absolute path), if given.</summary>
    public string? FactoryImage { get; init; }

    /// <summary>
    /// Who plays the module: the device's own module (<see cref="ModuleKind.Device"/>, emulated on a virtual bench), or,
    /// on a hardware bench with no module wired, the rig itself speaking the module's chain side (<see cref="ModuleKind.Rig"/>).
    /// </summary>
    public ModuleKind Kind { get; init; } = ModuleKind.Device;

    /// <summary>The module's debug UART on a hardware bench (its log lines reach the timeline as a chip's do), if wired.</summary>
    public string? LogDevicePath { get; init; }

    /// <summary>
    /// The command that writes the module's factory image (its WiFi firmware, no network config) on a hardware bench,
    /// run with the module off before every scenario, as a chip's; null: the module keeps what it has.
    /// </summary>
    public string? Program { get; init; }

    /// <summary>The node name of the module, used in links.</summary>
    public const string Name = "module";
}
