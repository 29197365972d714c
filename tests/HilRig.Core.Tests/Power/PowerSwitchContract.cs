using HilRig.Core.Power;
using Xunit;

namespace HilRig.Core.Tests.Power;

/// <summary>
/// What every hardware power backend promises, run against each backend and its simulated twin: a new
/// switch starts off (safe state), on and off are what the hardware reads back, switching twice is
/// harmless, and a safe-off (exit, SIGTERM) always leaves the node off.
/// </summary>
public abstract class PowerSwitchContract
{
    /// <summary>A fresh switch for the node "chip1".</summary>
    protected abstract IPowerSwitch CreateSwitch();

    /// <summary>What the hardware itself says (the line's level, the PDU's status), not the switch's memory.</summary>
    protected abstract bool HardwareSaysOn();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task WithSwitchAsync(Func<IPowerSwitch, IPowerStatus, Task> body)
    {
        var s = CreateSwitch();
        try
        {
            await body(s, (IPowerStatus)s);
        }
        finally
        {
            (s as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public Task A_new_switch_starts_with_the_node_off() => WithSwitchAsync(async (s, status) =>
    {
        Assert.False(s.IsOn);
        Assert.False(HardwareSaysOn());
        Assert.False(await status.QueryAsync(Token));
    });

    [Fact]
    public Task On_and_off_are_what_the_hardware_reads_back() => WithSwitchAsync(async (s, status) =>
    {
        await s.OnAsync(Token);
        Assert.True(s.IsOn);
        Assert.True(HardwareSaysOn());
        Assert.True(await status.QueryAsync(Token));

        await s.OffAsync(Token);
        Assert.False(s.IsOn);
        Assert.False(HardwareSaysOn());
        Assert.False(await status.QueryAsync(Token));
    });

    [Fact]
    public Task Switching_on_twice_keeps_the_node_on() => WithSwitchAsync(async (s, _) =>
    {
        await s.OnAsync(Token);
        await s.OnAsync(Token);
        Assert.True(HardwareSaysOn());
    });

    [Fact]
    public Task Safe_off_and_the_guard_leave_a_powered_node_off() => WithSwitchAsync(async (s, status) =>
    {
        using var safety = new PowerSafety(hookProcess: false);
        safety.Register(status);
        await s.OnAsync(Token);
        Assert.True(HardwareSaysOn());

        safety.OnSignal(System.Runtime.InteropServices.PosixSignal.SIGTERM);

        Assert.False(HardwareSaysOn());
        Assert.False(s.IsOn);
        Assert.Equal(1, safety.Trips);
    });
}
