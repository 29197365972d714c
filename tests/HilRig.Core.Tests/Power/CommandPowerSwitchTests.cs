using HilRig.Core.Power;
using Xunit;

namespace HilRig.Core.Tests.Power;

/// <summary>
/// The external-command switch with its simulated twin: small shell commands that keep a "port power"
/// state file, like uhubctl on a USB hub port or a PDU's command line.
/// </summary>
public sealed class SimulatedCommandContract : PowerSwitchContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-cmdpower-").FullName;

    private string State => Path.Combine(_directory, "port");

    protected override IPowerSwitch CreateSwitch()
    {
        File.WriteAllText(State, "0");
        return new CommandPowerSwitch("chip1", $"echo 1 > '{State}'", $"echo 0 > '{State}'", $"grep -q 1 '{State}'");
    }

    protected override bool HardwareSaysOn() => File.ReadAllText(State).Trim() == "1";

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>The external-command switch on the bench's real PDU or hub: HILRIG_POWER_ON/OFF/STATUS commands, HILRIG_HARDWARE=1.</summary>
[Trait("requires", "hardware")]
public sealed class HardwareCommandContract : PowerSwitchContract
{
    protected override IPowerSwitch CreateSwitch()
    {
        HardwareGate.Require("HILRIG_POWER_ON, HILRIG_POWER_OFF and HILRIG_POWER_STATUS commands for a spare outlet");
        var off = Environment.GetEnvironmentVariable("HILRIG_POWER_OFF")!;
        var s = new CommandPowerSwitch("chip1", Environment.GetEnvironmentVariable("HILRIG_POWER_ON")!, off, Environment.GetEnvironmentVariable("HILRIG_POWER_STATUS"));
        s.SafeOff();
        return s;
    }

    protected override bool HardwareSaysOn()
    {
        using var status = System.Diagnostics.Process.Start("/bin/sh", ["-c", Environment.GetEnvironmentVariable("HILRIG_POWER_STATUS")!]);
        status.WaitForExit();
        return status.ExitCode == 0;
    }
}

public sealed class CommandPowerSwitchTests
{
    [Fact]
    public async Task A_failing_command_names_the_node_the_command_its_exit_code_and_stderr()
    {
        var s = new CommandPowerSwitch("chip2", "echo 'port 9 does not exist' >&2; exit 3", "true", null);

        var ex = await Assert.ThrowsAsync<PowerSwitchException>(() => s.OnAsync(TestContext.Current.CancellationToken));

        Assert.Equal("chip2: power on command `echo 'port 9 does not exist' >&2; exit 3` failed with exit code 3: port 9 does not exist", ex.Message);
        Assert.False(s.IsOn);
    }

    [Fact]
    public async Task A_command_that_hangs_is_stopped_after_the_timeout()
    {
        var s = new CommandPowerSwitch("chip3", "exec sleep 30", "true", null) { Timeout = TimeSpan.FromMilliseconds(300) };

        var ex = await Assert.ThrowsAsync<PowerSwitchException>(() => s.OnAsync(TestContext.Current.CancellationToken));

        Assert.Contains("did not finish within", ex.Message, StringComparison.Ordinal);
    }
}
