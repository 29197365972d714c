namespace HilRig.Core.Wiring;

/// <summary>One UART hop between two nodes.</summary>
/// <param name="From">The upstream end (nearer the module): <c>module</c> or a chip name.</param>
/// <param name="To">The downstream end: a chip name.</param>
/// <param name="BaudRate">Line speed in baud.</param>
/// <param name="RigMode">How the rig sits in the link.</param>
/// <param name="NearDevicePath">Hardware benches: the rig's UART toward <paramref name="From"/>.</param>
/// <param name="FarDevicePath">Hardware benches: the rig's UART toward <paramref name="To"/>.</param>
/// <param name="Line">Line of the link's entry in the wiring file.</param>
public sealed record LinkWiring(
    string From,
    string To,
    int BaudRate,
    RigMode RigMode,
    string? NearDevicePath = null,
    string? FarDevicePath = null,
    int Line = 0)
{
    /// <summary>Virtual benches only: the cable is left unplugged (the rig's relay passes nothing), to try the rig's bench checks.</summary>
    public bool Unplugged { get; init; }

    /// <summary>The baud rates a link may use.</summary>
    public static IReadOnlyList<int> SupportedBaudRates { get; } =
        [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 1500000, 2000000, 3000000];
}
