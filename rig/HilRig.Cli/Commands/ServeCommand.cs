using System.CommandLine;
using System.Globalization;
using HilRig.Service;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig serve`: the hosted service with the REST API and the live page (rig/HilRig.Service).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Address to listen on: an IP address, localhost, or * for every interface (then --token is required).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0: any free port, printed).", DefaultValueFactory = _ => 5080 };
        var token = new Option<string?>("--token") { Description = "Bearer token every API call must carry, at least 16 characters (default: $HILRIG_TOKEN). Required off loopback. The page logs in with it once." };
        var hostName = new Option<string[]>("--host-name") { Description = "A further name clients reach the service by (the Host header), e.g. bench-pi.lab; repeatable. Known already: the loopback names, the machine's host name and addresses.", AllowMultipleArgumentsPerToken = false };
        var wiring = new Option<string>("--wiring") { Description = "Bench for queued runs that name none.", DefaultValueFactory = _ => RepoPaths.DefaultWiring };
        var data = new Option<string?>("--data") { Description = "Where run history and artifacts are kept (default: artifacts/serve)." };
        var command = new Command("serve", "Run the HilRig service: a REST API to queue runs, run history with downloadable artifacts, and a live page of the bench.")
        {
            listen, port, token, hostName, wiring, data,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var address = ServiceHost.ParseAddress(result.GetRequiredValue(listen));
            if (address is null)
            {
                await Console.Error.WriteLineAsync($"hilrig serve: --listen '{result.GetValue(listen)}' is not an IP address, localhost or *");
                return 2;
            }
            var wiringPath = Path.GetFullPath(result.GetRequiredValue(wiring));
            if (WiringCommands.LoadOrReport(wiringPath) is null) return 2;
            var options = new ServeOptions
            {
                Address = address,
                Port = result.GetValue(port),
                Token = result.GetValue(token) ?? Environment.GetEnvironmentVariable("HILRIG_TOKEN"),
                HostNames = result.GetValue(hostName) ?? [],
                RepositoryRoot = RepoPaths.Root,
                DefaultWiring = wiringPath,
                DataDirectory = Path.GetFullPath(result.GetValue(data) ?? Path.Combine(RepoPaths.Root, "artifacts", "serve")),
                RunProgram = HilrigExecutable.Resolve(),
            };
            if (options.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync($"hilrig serve: {problem}");
                return 2;
            }
            ServiceHost host;
            try
            {
                host = await ServiceHost.StartAsync(options, cancellationToken);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"hilrig serve: cannot listen on {options.Address}:{options.Port.ToString(CultureInfo.InvariantCulture)}: {ex.Message}");
                return 2;
            }
            await using (host)
            {
                Console.WriteLine($"hilrig serve: listening on {host.Address}{(options.Token is null ? "" : " (token required; the page asks for it once)")} (bench {Path.GetRelativePath(RepoPaths.Root, wiringPath)}, history in {options.DataDirectory})");
                try
                {
                    await host.WaitForShutdownAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
                Console.WriteLine("hilrig serve: stopping; current runs are cancelled and their benches powered off");
            }
            return 0;
        });
        return command;
    }
}
