using System.CommandLine;
using HilRig.Cli.Commands;

var root = new RootCommand("HilRig: hardware-in-the-loop test rig for firmware OTA upgrades.")
{
    BenchCommands.Create(),
    WiringCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
