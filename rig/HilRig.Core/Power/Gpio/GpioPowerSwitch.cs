using System.Device.Gpio;

namespace HilRig.Core.Power.Gpio;

/// <summary>
/// Power through a relay driven by one GPIO line (System.Device.Gpio). Relay boards are usually
/// active-low: the relay closes, and the node is powered, while the line is driven low. The line is
/// driven to its safe state (off) the moment it is opened, again on <see cref="SafeOff"/> and on
/// <see cref="Dispose"/>; <see cref="PowerSafety"/> calls <see cref="SafeOff"/> on exit and on SIGTERM.
/// </summary>
public sealed class GpioPowerSwitch : IPowerSwitch, IPowerStatus, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly int _line;
    private readonly PinValue _onLevel;
    private readonly PinValue _offLevel;
    private readonly Lock _gate = new();
    private bool _on;
    private bool _disposed;

    /// <summary>Opens <paramref name="line"/> as an output already at the off level.</summary>
    /// <param name="node">The node this line powers.</param>
    /// <param name="controller">The GPIO chip's controller (a real one, or one over <see cref="SimulatedGpioDriver"/>).</param>
    /// <param name="line">Line offset on the chip.</param>
    /// <param name="activeLow">True when driving the line low powers the node.</param>
    /// <param name="ownsController">Dispose the controller with the switch.</param>
    /// <exception cref="PowerSwitchException">The line cannot be opened (wrong chip or line, no permission).</exception>
    public GpioPowerSwitch(string node, GpioController controller, int line, bool activeLow, bool ownsController = false)
    {
        Node = node;
        _controller = controller;
        _ownsController = ownsController;
        _line = line;
        _onLevel = activeLow ? PinValue.Low : PinValue.High;
        _offLevel = activeLow ? PinValue.High : PinValue.Low;
        try
        {
            // The initial value is applied as the line becomes an output: the relay never sees a glitch "on".
            controller.OpenPin(line, PinMode.Output, _offLevel);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new PowerSwitchException($"{node}: cannot open GPIO line {line} as an output: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public string Node { get; }

    /// <summary>The GPIO line.</summary>
    public int Line => _line;

    /// <inheritdoc />
    public bool IsOn
    {
        get { lock (_gate) return _on; }
    }

    /// <inheritdoc />
    public Task OnAsync(CancellationToken cancellationToken)
    {
        Drive(true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OffAsync(CancellationToken cancellationToken)
    {
        Drive(false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> QueryAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return Task.FromResult(_controller.Read(_line) == _onLevel);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new PowerSwitchException($"{Node}: cannot read GPIO line {_line}: {ex.Message}", ex);
            }
        }
    }

    /// <inheritdoc />
    public void SafeOff()
    {
        lock (_gate)
        {
            if (_disposed) return;
            try
            {
                _controller.Write(_line, _offLevel);
                _on = false;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing more can be done on the way out; the next start drives the line off again.
            }
        }
    }

    /// <summary>Drives the line to the off level and releases it.</summary>
    public void Dispose()
    {
        SafeOff();
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                _controller.ClosePin(_line);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
            }
            if (_ownsController) _controller.Dispose();
        }
    }

    private void Drive(bool on)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _controller.Write(_line, on ? _onLevel : _offLevel);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new PowerSwitchException($"{Node}: cannot drive GPIO line {_line} {(on ? "on" : "off")}: {ex.Message}", ex);
            }
            _on = on;
        }
    }
}
