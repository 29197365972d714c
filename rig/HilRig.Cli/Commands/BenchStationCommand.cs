using System.CommandLine;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Cli.Commands;

/// <summary>
/// `hilrig bench station`: the network check's probe on the module's side of the air (run inside the network double's
/// namespace): joins by DHCP and runs a plan of name lookups, TLS handshakes and MQTT logins, one PASS/FAIL line each.
/// </summary>
internal static class BenchStationCommand
{
    public static Command Create()
    {
        var iface = new Option<string>("--interface") { Description = "The station's interface (the veth end on the module's side).", Required = true };
        var plan = new Option<string>("--plan")
        {
            Description = "JSON plan: {\"resolve\":[names],\"tls\":[{\"host\",\"port\",\"ca\"}],\"mqtt\":[{\"host\",\"port\",\"tls\",\"ca\",\"clientId\",\"user\",\"password\"}]}.",
            Required = true,
        };
        var command = new Command("station", "Join the bench network as the module's WiFi station (DHCP) and check names, TLS and MQTT from there; exit 0 when all pass, 1 otherwise, 2 on a bad plan.")
        {
            iface, plan,
        };
        command.SetAction(async (result, token) =>
        {
            var interfaceName = result.GetRequiredValue(iface);
            if (WifiStation.InterfaceProblem(interfaceName) is { } problem)
            {
                await Console.Error.WriteLineAsync($"hilrig bench station: --interface {problem}");
                return 2;
            }
            var checks = StationPlan.TryRead(result.GetRequiredValue(plan), out var error);
            if (checks is null)
            {
                await Console.Error.WriteLineAsync($"hilrig bench station: {error}");
                return 2;
            }
            var scratch = Directory.CreateTempSubdirectory("hilrig-station-");
            try
            {
                var station = new WifiStation(interfaceName, scratch.FullName, line => Console.Error.WriteLine(line));
                return await new StationChecks(station, Console.Out).RunAsync(checks, token) ? 0 : 1;
            }
            finally
            {
                scratch.Delete(recursive: true);
            }
        });
        return command;
    }
}
