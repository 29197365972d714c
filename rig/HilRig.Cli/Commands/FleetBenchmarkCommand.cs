using System.CommandLine;
using HilRig.Gateway.Fleet;
using HilRig.Gateway.Transport;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig bench fleet`: a rolling upgrade of every gateway logical node under many devices while commands flow.</summary>
internal static class FleetBenchmarkCommand
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Virtual devices.", DefaultValueFactory = _ => 10_000 };
        var logical = new Option<int>("--logical-nodes") { Description = "Logical gateway nodes.", DefaultValueFactory = _ => 5 };
        var capacity = new Option<int?>("--capacity") { Description = "Capacity per access node (default: 110% of half a logical node's devices)." };
        var seed = new Option<int>("--seed") { Description = "Decides device levels, priorities and which devices get commands.", DefaultValueFactory = _ => 1 };
        var rate = new Option<int>("--commands-per-second") { Description = "Commands the vendor backend sends per second during the upgrade.", DefaultValueFactory = _ => 2_000 };
        var tcp = new Option<bool>("--tcp") { Description = "Real loopback TCP instead of in-memory pipes (2 fds per connection: small fleets only)." };
        var command = new Command("fleet", "Rolling upgrade of all gateway logical nodes with many virtual devices in one process while commands flow.")
        {
            devices, logical, capacity, seed, rate, tcp,
        };
        command.SetAction(async (result, token) =>
        {
            var options = new FleetOptions
            {
                Devices = result.GetValue(devices),
                LogicalNodes = result.GetValue(logical),
                Capacity = result.GetValue(capacity),
                Seed = result.GetValue(seed),
                CommandsPerSecond = result.GetValue(rate),
                Transport = result.GetValue(tcp) ? new TcpLoopbackTransport() : new InMemoryTransport(),
            };
            if (options.Devices < 1 || options.LogicalNodes < 1 || options.Capacity is < 1 || options.CommandsPerSecond < 1)
            {
                await Console.Error.WriteLineAsync("hilrig bench fleet: --devices, --logical-nodes, --capacity and --commands-per-second must be at least 1");
                return 2;
            }
            var fleet = await FleetBenchmark.RunAsync(options, Console.Error, token);
            FleetBenchmark.Print(fleet, Console.Out);
            var ok = fleet.CommandsLost == 0 && fleet.CommandsDuplicated == 0 && fleet.OverCapacity.Count == 0 && fleet.Rollout.State == HilRig.Gateway.Cluster.RolloutState.Completed;
            return ok ? 0 : 1;
        });
        return command;
    }
}
