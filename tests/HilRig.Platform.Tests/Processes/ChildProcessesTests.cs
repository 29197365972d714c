using System.Diagnostics;
using HilRig.Platform.Processes;
using Xunit;

namespace HilRig.Platform.Tests.Processes;

/// <summary>
/// A child started through the parent-death wrapper is still the program asked for, with its own pid. That it dies
/// with a rig killed by SIGKILL is shown end to end by the Cli tests (RunCrashTests).
/// </summary>
public sealed class ChildProcessesTests
{
    [Fact]
    public async Task A_child_keeps_its_own_pid_and_arguments_and_is_recorded()
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("echo $$; exec sleep 30");
        using var child = ChildProcesses.Start(info);
        var pid = await child.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.Equal(child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), pid);
        Assert.NotNull(ChildProcesses.Registry);
        child.Kill();
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
    }
}
