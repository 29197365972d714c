using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>Builds the bench a wiring file describes: a virtual bench for <c>kind: virtual</c>, a hardware bench for <c>kind: hardware</c>.</summary>
public static class BenchFactory
{
    /// <summary>Lays out the bench; every node stays off until <see cref="IBench.PowerOnAllAsync"/>.</summary>
    /// <exception cref="BenchSetupException">Something the wiring file names is not there (a serial adapter, a GPIO chip); the message names it and the wiring line.</exception>
    public static IBench Create(BenchWiring wiring, BenchOptions options) => wiring.Kind switch
    {
        BenchKind.Hardware => HardwareBench.Create(wiring, options),
        _ => VirtualBench.Create(wiring, options),
    };

    /// <summary>
    /// What would stop the bench from being set up, found without switching anything: for a hardware bench, the first
    /// serial device the wiring names that is not there (one line naming the device and the wiring line); null when none.
    /// </summary>
    public static string? Preflight(BenchWiring wiring, HardwareBackends? backends = null) =>
        wiring.Kind == BenchKind.Hardware ? HardwareBench.Preflight(wiring, backends ?? new HardwareBackends()) : null;
}

/// <summary>A bench could not be set up from its wiring file; the message names the file, the line and what is missing.</summary>
public sealed class BenchSetupException(string message, Exception? inner = null) : Exception(message, inner);
