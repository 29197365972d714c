using System.CommandLine;
using HilRig.Bench.Node;

// One node of the virtual bench per process: `hilrig-node chip|module|station ...`. It runs UARTs: see RigThreadPool.
HilRig.Serial.RigThreadPool.Ensure();

// Emulated chips and modules start many at a time under a live rig and leave the sweep of a dead rig's children to
// it; the station (one short check) sweeps, as every other rig process does.
if (args is ["station", ..])
{
    foreach (var line in HilRig.Platform.Processes.ChildProcesses.SweepLeftovers())
    {
        await Console.Error.WriteLineAsync($"hilrig-node: {line}");
    }
}

var root = new RootCommand("hilrig-node: runs one node of the virtual bench (the rig starts it; `hilrig bench chip|module|station` runs the same commands).")
{
    NodeCommands.Chip("hilrig-node chip"),
    NodeCommands.Module("hilrig-node module"),
    NodeCommands.Station("hilrig-node station"),
};
return await CommandLineHost.InvokeAsync(root, args, "hilrig-node", TimeSpan.FromSeconds(30));
