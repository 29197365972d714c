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
try
{
    var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
    return await root.Parse(args, parser).InvokeAsync(invocation);
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("hilrig-node: cancelled");
    return 130;
}
catch (Exception ex) when (Environment.GetEnvironmentVariable("HILRIG_DEBUG") is null or "" or "0")
{
    await Console.Error.WriteLineAsync($"hilrig-node: {ex.Message} ({ex.GetType().Name}; set HILRIG_DEBUG=1 for details)");
    return 1;
}
