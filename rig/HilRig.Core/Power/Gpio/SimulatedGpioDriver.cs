using System.Device.Gpio;

namespace HilRig.Core.Power.Gpio;

/// <summary>
/// The GPIO power switch's simulated twin: a <see cref="GpioDriver"/> that keeps each line's mode and
/// level in memory, so the real <see cref="GpioPowerSwitch"/> code runs unchanged on a machine without
/// GPIO (and the contract tests read back what a relay board would see).
/// </summary>
public sealed class SimulatedGpioDriver(int pinCount = 64) : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly List<(int Pin, PinValue Level)> _writes = [];

    /// <summary>Every level written, in order (pin, level): shows the order a switch drove its lines in.</summary>
    public IReadOnlyList<(int Pin, PinValue Level)> Writes
    {
        get { lock (_gate) return _writes.ToList(); }
    }

    /// <summary>The level last driven on <paramref name="pin"/>, or null when the pin was never written.</summary>
    public PinValue? LevelOf(int pin)
    {
        lock (_gate) return _levels.TryGetValue(pin, out var v) ? v : null;
    }

    /// <summary>The mode of <paramref name="pin"/>, or null when it is not open.</summary>
    public PinMode? ModeOf(int pin)
    {
        lock (_gate) return _modes.TryGetValue(pin, out var m) ? m : null;
    }

    /// <inheritdoc />
    protected override int PinCount => pinCount;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), $"line {pinNumber} does not exist on this GPIO chip ({pinCount} lines)");
        }
        lock (_gate) _modes[pinNumber] = PinMode.Input;
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        // A closed line keeps the level it was driven to, as a line released by libgpiod does on a Pi.
        lock (_gate) _modes.Remove(pinNumber);
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate) _modes[pinNumber] = mode;
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate) return _modes.TryGetValue(pinNumber, out var m) ? m : PinMode.Input;
    }

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        lock (_gate) return _levels.TryGetValue(pinNumber, out var v) ? v : PinValue.Low;
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            if (!_modes.TryGetValue(pinNumber, out var mode) || mode != PinMode.Output)
            {
                throw new InvalidOperationException($"line {pinNumber} is not an output");
            }
            _levels[pinNumber] = value;
            _writes.Add((pinNumber, value));
        }
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated GPIO driver has no edge events");

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated GPIO driver has no edge events");

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated GPIO driver has no edge events");
}
