using System.Runtime.InteropServices;

namespace HilRig.Core.Power;

/// <summary>
/// Drives every registered hardware power switch to its safe state (off) when the process exits or
/// receives SIGTERM or SIGINT (systemd stopping the service, Ctrl-C), so an unattended bench is never left
/// powered by a rig that went away. Switches are also driven off when they are created and when they are
/// disposed; this covers the exits in between.
/// </summary>
public sealed class PowerSafety : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<IPowerStatus> _switches = [];
    private readonly List<IDisposable> _registrations = [];
    private int _tripped;

    /// <summary>Creates the guard; with <paramref name="hookProcess"/> it listens to SIGTERM, SIGINT and process exit.</summary>
    public PowerSafety(bool hookProcess = true)
    {
        if (hookProcess)
        {
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
            {
                // The signal's default action (ending the process) still follows: the handler does not cancel it.
                _registrations.Add(PosixSignalRegistration.Create(signal, context => OnSignal(context.Signal)));
            }
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>How many times the guard has driven the switches off.</summary>
    public int Trips => Volatile.Read(ref _tripped);

    /// <summary>Adds a switch to drive off on exit and signals.</summary>
    public void Register(IPowerStatus powerSwitch)
    {
        lock (_gate) _switches.Add(powerSwitch);
    }

    /// <summary>Drives every registered switch off now (what a signal or exit does).</summary>
    public void OnSignal(PosixSignal signal)
    {
        _ = signal;
        AllOff();
    }

    /// <summary>Drives every registered switch off.</summary>
    public void AllOff()
    {
        List<IPowerStatus> switches;
        lock (_gate) switches = _switches.ToList();
        foreach (var s in switches)
        {
            s.SafeOff();
        }
        Interlocked.Increment(ref _tripped);
    }

    private void OnProcessExit(object? sender, EventArgs e) => AllOff();

    /// <inheritdoc />
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var r in _registrations) r.Dispose();
        _registrations.Clear();
    }
}
