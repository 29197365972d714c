using System.CommandLine;
using HilRig.Cli.Commands;

var root = new RootCommand("HilRig: hardware-in-the-loop test rig for firmware OTA upgrades.")
{
    RunCommand.Create(),
    BenchCommands.Create(),
    WiringCommands.Create(),
    ReportCommand.Create(),
};
try
{
    // No response files: tag expressions start with '@' ("@sim and not @slow") and must reach --tags as typed.
    var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
    return await root.Parse(args, parser).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("hilrig: cancelled");
    return 130;
}
catch (Exception ex) when (Environment.GetEnvironmentVariable("HILRIG_DEBUG") is null or "" or "0")
{
    // One clear line for the user; HILRIG_DEBUG=1 shows the stack trace for a bug report.
    await Console.Error.WriteLineAsync($"hilrig: {ex.Message} ({ex.GetType().Name}; set HILRIG_DEBUG=1 for details)");
    return 1;
}
