using HilRig.Core.Links;
using HilRig.Core.Power;
using HilRig.Core.Sensors;
using HilRig.Core.Wiring;

namespace HilRig.Core.Bench;

/// <summary>
/// `hilrig wiring check` on a hardware bench: opens every backend the wiring file names, one row each,
/// and never leaves a node powered: every power line is opened (GPIO lines already driven off), its state
/// read back and left off; every sensor is configured, calibrated and read; every UART is found by its
/// stable name and opened at the link's baud rate. A failure is a row naming the node and the cause, never
/// a crash.
/// </summary>
public static class HardwareBenchCheck
{
    /// <summary>Checks every backend of <paramref name="bench"/>.</summary>
    public static async Task<IReadOnlyList<ProofRow>> RunAsync(BenchWiring bench, HardwareBackends backends, CancellationToken cancellationToken)
    {
        var rows = new List<ProofRow>();
        using var safety = new PowerSafety(hookProcess: true);
        var nodes = new List<(string Name, PowerWiring Power, SensorWiring? Sensor)>();
        if (bench.Module.Kind != ModuleKind.Rig)
        {
            // With module kind rig the rig is the module: there is no module board to power.
            nodes.Add((ModuleWiring.Name, bench.Module.Power, bench.Module.Sensor));
        }
        nodes.AddRange(bench.Chips.Select(c => (c.Name, c.Power, c.Sensor)));
        try
        {
            foreach (var (name, power, sensor) in nodes)
            {
                rows.Add(await CheckPowerAsync(name, power, backends, safety, Path.GetDirectoryName(bench.SourcePath), cancellationToken).ConfigureAwait(false));
                if (sensor is not null)
                {
                    rows.Add(sensor.Kind == SensorKind.Command
                        ? await CheckCommandSensorAsync(name, sensor, backends, Path.GetDirectoryName(bench.SourcePath), cancellationToken).ConfigureAwait(false)
                        : CheckSensor(name, sensor, backends));
                }
            }
            foreach (var link in bench.Links)
            {
                foreach (var (end, path) in new[] { ("near", link.NearDevicePath), ("far", link.FarDevicePath) })
                {
                    if (path is null) continue;
                    rows.Add(CheckUart($"uart {link.From} -> {link.To} ({end})", path, link.BaudRate, backends));
                }
            }
        }
        finally
        {
            safety.AllOff();
            backends.CloseGpioChips();
        }
        return rows;
    }

    /// <summary>
    /// Drives every power line of the bench off and reads it back, one row per node: what a service runs after the rig
    /// stopped in a way no handler saw (SIGKILL, a crash), so a bench is never left powered unattended.
    /// </summary>
    public static async Task<IReadOnlyList<ProofRow>> AllOffAsync(BenchWiring bench, HardwareBackends backends, CancellationToken cancellationToken)
    {
        var rows = new List<ProofRow>();
        var directory = Path.GetDirectoryName(Path.GetFullPath(bench.SourcePath));
        var nodes = bench.Chips.Select(c => (c.Name, c.Power)).ToList();
        if (bench.Module.Kind != ModuleKind.Rig) nodes.Insert(0, (ModuleWiring.Name, bench.Module.Power));
        try
        {
            foreach (var (name, power) in nodes)
            {
                try
                {
                    var created = backends.CreatePowerSwitch(name, power, null, directory);
                    try
                    {
                        await created.OffAsync(cancellationToken).ConfigureAwait(false);
                        var on = created is IPowerStatus status && await status.QueryAsync(cancellationToken).ConfigureAwait(false);
                        rows.Add(new ProofRow($"power {name} ({power.KindName})", !on, on ? "still reads ON after being switched off" : "off"));
                    }
                    finally
                    {
                        (created as IDisposable)?.Dispose();
                    }
                }
                catch (Exception ex) when (ex is PowerSwitchException or ArgumentException)
                {
                    rows.Add(new ProofRow($"power {name} ({power.KindName})", false, ex.Message));
                }
            }
        }
        finally
        {
            backends.CloseGpioChips();
        }
        return rows;
    }

    private static async Task<ProofRow> CheckCommandSensorAsync(string node, SensorWiring sensor, HardwareBackends backends, string? workingDirectory, CancellationToken cancellationToken)
    {
        var check = $"sensor {node} (command)";
        try
        {
            var milliamps = await backends.CreateCurrentSensor(node, sensor, workingDirectory).ReadMilliampsAsync(cancellationToken).ConfigureAwait(false);
            return new ProofRow(check, true, FormattableString.Invariant($"answers: {milliamps:0.0} mA"));
        }
        catch (SensorException ex)
        {
            return new ProofRow(check, false, ex.Message);
        }
    }

    private static async Task<ProofRow> CheckPowerAsync(string node, PowerWiring power, HardwareBackends backends, PowerSafety safety, string? workingDirectory, CancellationToken cancellationToken)
    {
        var check = power switch
        {
            Wiring.GpioPower g => $"power {node} ({g.Chip} line {g.Line}, active {(g.ActiveLow ? "low" : "high")})",
            CommandPower => $"power {node} (commands)",
            _ => $"power {node} ({power.KindName})",
        };
        try
        {
            var created = backends.CreatePowerSwitch(node, power, safety, workingDirectory);
            try
            {
                if (created is CommandPowerSwitch && power is CommandPower { Status: null })
                {
                    return new ProofRow(check, true, "no status command: the on/off commands are not run by a check");
                }
                var on = created is IPowerStatus status && await status.QueryAsync(cancellationToken).ConfigureAwait(false);
                return created is Power.Gpio.GpioPowerSwitch
                    ? new ProofRow(check, !on, on ? "the line reads back ON after being driven off" : "line opened, driven to its safe state (off) and read back off")
                    : new ProofRow(check, true, $"status command says {(on ? "on" : "off")}");
            }
            finally
            {
                (created as IDisposable)?.Dispose();
            }
        }
        catch (Exception ex) when (ex is PowerSwitchException or ArgumentException)
        {
            return new ProofRow(check, false, ex.Message);
        }
    }

    private static ProofRow CheckSensor(string node, SensorWiring sensor, HardwareBackends backends)
    {
        var check = $"sensor {node} (INA219 bus {sensor.Bus} 0x{sensor.Address:X2})";
        try
        {
            using var ina = backends.CreateSensor(node, sensor);
            var (isDefault, configuration) = ina.ReadConfiguration();
            if (!isDefault)
            {
                return new ProofRow(check, false, $"configuration reads back {configuration} after a reset, not the INA219's power-on default (Range32v, PlusOrMinus320mv, ShuntAndBusContinuous): is this an INA219?");
            }
            var r = ina.Read();
            return new ProofRow(check, true, FormattableString.Invariant($"answers: {r.BusVolts:0.000} V, {r.CurrentAmps * 1000:0.0} mA, calibration 0x{ina.Calibration.Value:X4}"));
        }
        catch (Exception ex) when (ex is SensorException or ArgumentException)
        {
            return new ProofRow(check, false, ex.Message);
        }
    }

    private static ProofRow CheckUart(string check, string path, int baud, HardwareBackends backends)
    {
        try
        {
            var device = SerialDevicePaths.Resolve(path, backends.SerialByIdDirectory);
            using var port = backends.OpenSerial(device, baud);
            return new ProofRow(check, true, $"{Path.GetFileName(path)} -> {device}, opened at {baud} baud");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            return new ProofRow(check, false, ex.Message);
        }
    }
}
