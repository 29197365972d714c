namespace HilRig.Core.Wiring;

/// <summary>One MCU in the chain.</summary>
/// <param name="Name">Unique node name, used in links and upgrade orders.</param>
/// <param name="ModelId">Chip model id used for addressing on the chain (0x01..0xFD).</param>
/// <param name="Flash">Flash geometry of the chip.</param>
/// <param name="FactoryImagePath">Full path of the image the chip is programmed with before a run, if any.</param>
/// <param name="Command">
/// Optional executable to run instead of the built-in emulated chip (virtual benches), a
/// <see cref="CommandTemplate"/>.
/// </param>
/// <param name="Power">How the chip's power is switched.</param>
/// <param name="Sensor">Optional current sensor on the chip's supply.</param>
/// <param name="Operating">Initial state of the emulated device body (virtual benches); an operating body refuses upgrades.</param>
/// <param name="Line">Line of the chip's entry in the wiring file.</param>
public sealed record ChipWiring(
    string Name,
    byte ModelId,
    FlashWiring Flash,
    string? FactoryImagePath,
    string? Command,
    PowerWiring Power,
    SensorWiring? Sensor = null,
    bool Operating = false,
    int Line = 0)
{
    /// <summary>Smallest model id a chip may have.</summary>
    public const byte MinModelId = 0x01;

    /// <summary>Largest model id a chip may have; 0xFE and 0xFF are reserved by the chain protocol.</summary>
    public const byte MaxModelId = 0xFD;

    /// <summary>How the program of <see cref="Command"/> is built before the bench first switches the chip on, if at all.</summary>
    public ChipBuild? Build { get; init; }

    /// <summary>
    /// Hardware benches: the command that writes the chip's factory image before a scenario (a flasher such as
    /// openocd or probe-rs), with {image}, {name} and {model_id} filled in; null leaves the board's flash as it is.
    /// </summary>
    public string? Program { get; init; }

    /// <summary>
    /// Hardware benches: the serial device of the chip's debug UART (text lines), read into the chip's log and the
    /// timeline as an emulated chip's output is; null when the board has none wired.
    /// </summary>
    public string? LogDevicePath { get; init; }
}

/// <summary>A command chip's build: a shell command run in the wiring file's directory.</summary>
/// <param name="Command">The command (run with /bin/sh -c).</param>
/// <param name="WorkingDirectory">The directory it runs in: the wiring file's.</param>
public sealed record ChipBuild(string Command, string WorkingDirectory);
