using System.CommandLine;
using HilRig.Bench.Node;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench ...`: the emulated nodes of the virtual bench and the benchmarks.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Emulated nodes of the virtual bench, and benchmarks.");
        bench.Add(NodeCommands.Chip("hilrig bench chip"));
        bench.Add(NodeCommands.Module("hilrig bench module"));
        bench.Add(TransferBenchmarkCommand.Create());
        bench.Add(SweepCommand.Create());
        bench.Add(FleetBenchmarkCommand.Create());
        bench.Add(BenchDoubleCommand.Create());
        bench.Add(RelayBenchmarkCommand.Create());
        bench.Add(NodeCommands.Station("hilrig bench station"));
        return bench;
    }
}
