using System.CommandLine;
using HilRig.Bench.Node;
using HilRig.Cli.Commands;

// Every hilrig process (the rig, and each emulated chip and module it starts) runs UARTs: see RigThreadPool.
HilRig.Serial.RigThreadPool.Ensure();

// What a rig process killed with SIGKILL left running (a child that had not yet armed its parent-death signal)
// is swept by the next one: run, serve, bench double, wiring. Emulated nodes (bench chip, bench module) start many
// at a time under a live rig and leave that to it.
if (args is not ["bench", "chip" or "module", ..])
{
    foreach (var line in HilRig.Platform.Processes.ChildProcesses.SweepLeftovers())
    {
        await Console.Error.WriteLineAsync($"hilrig: {line}");
    }
    // The network double's namespaces (and their veth pairs) of a rig that is gone: root only, nothing to do otherwise.
    if (HilRig.Core.Wifi.NamespaceAir.SweepLeftovers() is var namespaces and > 0)
    {
        await Console.Error.WriteLineAsync($"hilrig: deleted {namespaces} network namespace(s) or veth(s) left by rig processes that are gone");
    }
}

var root = new RootCommand("HilRig: hardware-in-the-loop test rig for firmware OTA upgrades.")
{
    RunCommand.Create(),
    BenchCommands.Create(),
    WiringCommands.Create(),
    NetworkCommands.Create(),
    ReportCommand.Create(),
    ServeCommand.Create(),
};
// SIGTERM/Ctrl+C cancel the command's token; a run then powers the bench off and flushes its reports, which
// needs more than System.CommandLine's default 2 s. `serve` leaves the signals to its host (systemd lifetime).
return await CommandLineHost.InvokeAsync(root, args, "hilrig", args.FirstOrDefault() == "serve" ? null : TimeSpan.FromSeconds(30));
