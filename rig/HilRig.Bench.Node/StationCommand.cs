using System.CommandLine;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Node;

/// <summary>
/// `station`: the network check's probe on the module's side of the air (run inside the network double's
/// namespace): joins by DHCP and runs a plan of name lookups, TLS handshakes and MQTT logins, one PASS/FAIL line each.
/// </summary>
public static partial class NodeCommands
{
    /// <summary>`station`: the WiFi station's checks inside the network double; <paramref name="usage"/> begins its error lines.</summary>
    public static Command Station(string usage)
    {
        var iface = new Option<string>("--interface") { Description = "The station's interface (the veth end on the module's side).", Required = true };
        var plan = new Option<string>("--plan")
        {
            Description = "JSON plan: {\"resolve\":[names],\"tls\":[{\"host\",\"port\",\"ca\"}],\"mqtt\":[{\"host\",\"port\",\"tls\",\"ca\",\"clientId\",\"user\",\"password\"}]}.",
            Required = true,
        };
        var watch = new Option<int?>("--watch-link")
        {
            Description = "After the checks, wait up to this many seconds for the link to go (prints 'WATCH link on IF' when it starts): proves a WiFi drop reaches the station.",
        };
        var command = new Command("station", "Join the bench network as the module's WiFi station (DHCP) and check names, TLS and MQTT from there; exit 0 when all pass, 1 otherwise, 2 on a bad plan.")
        {
            iface, plan, watch,
        };
        command.SetAction(async (result, token) =>
        {
            var interfaceName = result.GetRequiredValue(iface);
            if (WifiStation.InterfaceProblem(interfaceName) is { } problem)
            {
                await Console.Error.WriteLineAsync($"{usage}: --interface {problem}");
                return 2;
            }
            if (result.GetValue(watch) is < 1 or > 600)
            {
                await Console.Error.WriteLineAsync($"{usage}: --watch-link takes 1 to 600 seconds");
                return 2;
            }
            var checks = StationPlan.TryRead(result.GetRequiredValue(plan), out var error);
            if (checks is null)
            {
                await Console.Error.WriteLineAsync($"{usage}: {error}");
                return 2;
            }
            var scratch = Directory.CreateTempSubdirectory("hilrig-station-");
            try
            {
                var station = new WifiStation(interfaceName, scratch.FullName, line => Console.Error.WriteLine(line));
                var watchLink = result.GetValue(watch) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
                return await new StationChecks(station, Console.Out).RunAsync(checks, token, watchLink) ? 0 : 1;
            }
            finally
            {
                scratch.Delete(recursive: true);
            }
        });
        return command;
    }
}
