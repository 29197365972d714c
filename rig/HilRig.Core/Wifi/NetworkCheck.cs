using System.Diagnostics;
using System.Text.Json;
using HilRig.Bench.Node;
using HilRig.Core.Nodes;
using HilRig.Core.Servers;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Platform.Processes;
using HilRig.Servers.Tls;

namespace HilRig.Core.Wifi;

/// <summary>One part of the bench network and what the check found.</summary>
/// <param name="Part">"access point", "dnsmasq", "servers", "dhcp", "dns", "tls", "mqtt".</param>
/// <param name="Pass">True when it works.</param>
/// <param name="Detail">What was seen, or what is broken.</param>
public sealed record NetworkCheckRow(string Part, bool Pass, string Detail);

/// <summary>How the check runs.</summary>
public sealed record NetworkCheckOptions
{
    /// <summary>Where the air's and the servers' files go (dnsmasq's log and leases stay there for a bug report).</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The bench CA's directory (default: where <c>hilrig network ca</c> keeps it).</summary>
    public string? CertificateAuthorityDirectory { get; init; }

    /// <summary>The CA certificate the module's firmware trusts (PEM file); null: the bench CA.</summary>
    public string? StationCaPath { get; init; }

    /// <summary>Stops dnsmasq once the access point is up, to see the check catch it (<c>--break dnsmasq</c>).</summary>
    public bool StopDnsmasq { get; init; }
}

/// <summary>
/// <c>hilrig network check</c>: proves a bench network part by part, as <c>wiring check</c> proves the UARTs: the
/// access point comes up, dnsmasq runs, the servers listen on the rig's address, and from the module's side of the air
/// a station gets a DHCP lease, looks up every name the firmware uses, completes a TLS handshake with each server
/// against the CA the firmware trusts, and logs in to each broker with the device's credentials.
/// </summary>
public static class NetworkCheck
{
    /// <summary>Longest the station's own checks may take (DHCP and every lookup, handshake and login).</summary>
    public static readonly TimeSpan StationDeadline = TimeSpan.FromSeconds(90);

    /// <summary>Runs the check on <paramref name="wiring"/>, reporting each row as it is known; returns every row.</summary>
    public static async Task<IReadOnlyList<NetworkCheckRow>> RunAsync(BenchWiring wiring, NetworkCheckOptions options, Action<NetworkCheckRow> report,
        CancellationToken cancellationToken)
    {
        var rows = new List<NetworkCheckRow>();
        void Row(string part, bool pass, string detail)
        {
            var row = new NetworkCheckRow(part, pass, detail);
            rows.Add(row);
            report(row);
        }
        if (wiring.Network is not { Air: { } airWiring } network)
        {
            Row("air", false, $"{wiring.SourcePath}: the bench has no bench network (network: air:); there is nothing to check (docs/wiring.md \"The bench network\")");
            return rows;
        }
        Directory.CreateDirectory(options.WorkDirectory);
        using var timeline = new BenchTimeline(Path.Combine(options.WorkDirectory, "timeline.ndjson"));
        IBenchAir air;
        try
        {
            air = await BenchAirs.StartAsync(wiring.Name, network, Path.Combine(options.WorkDirectory, "air"), Path.Combine(options.WorkDirectory, "air.json"),
                timeline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            Row("access point", false, ex.Message);
            return rows;
        }
        CloudBench? cloud = null;
        try
        {
            Row("access point", true, air.Description);
            BenchCertificateAuthority? ca = null;
            if (network.Tls)
            {
                ca = BenchCertificateAuthority.LoadOrCreate(options.CertificateAuthorityDirectory ?? BenchCertificateAuthority.DefaultDirectory(wiring.Name), wiring.Name);
            }
            try
            {
                cloud = await CloudBench.StartAsync(network, timeline, Path.Combine(options.WorkDirectory, "brokers"), cancellationToken, ca, air).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                Row("servers", false, $"the servers cannot listen on {air.RigAddress}: {ex.Message}");
                return rows;
            }
            Row("servers", true, string.Join(", ", Endpoints(cloud).Select(e => $"{e.What} on {air.RigAddress}:{e.Port}")));
            if (options.StopDnsmasq)
            {
                await air.StopDnsmasqAsync().ConfigureAwait(false);
            }
            Row("dnsmasq", air.DnsmasqRunning, air.DnsmasqRunning ? $"DHCP and DNS on {air.RigAddress} (log: {air.DnsmasqLog})"
                : $"dnsmasq is not running{(options.StopDnsmasq ? " (stopped by --break dnsmasq)" : "")}: no module gets an address or a name (log: {air.DnsmasqLog})");
            if (air.StationInterface is null)
            {
                Row("station", false, "a real module's side of the air (its lease, lookups, handshakes and logins as the servers see them) is not checked yet: power the module and run a @cloud scenario");
                return rows;
            }
            var stationCa = options.StationCaPath ?? ca?.CertificatePath;
            await RunStationAsync(air, cloud, stationCa, options.WorkDirectory, Row, cancellationToken).ConfigureAwait(false);
            return rows;
        }
        finally
        {
            if (cloud is not null) await cloud.DisposeAsync().ConfigureAwait(false);
            else await air.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IEnumerable<(string What, string ServerId, int Port, bool Mqtt)> Endpoints(CloudBench cloud)
    {
        var targetId = cloud.Wiring.TargetId;
        yield return ($"target server '{targetId}' MQTT", targetId, cloud.TargetMqttGate.Port, true);
        yield return ($"target server '{targetId}' {(cloud.Wiring.Tls ? "HTTPS" : "HTTP")} downloads", targetId, cloud.TargetHttpGate.Port, false);
        foreach (var vendor in cloud.Wiring.Vendors)
        {
            yield return ($"vendor server '{vendor.Id}' MQTT", vendor.Id, cloud.BrokerGate(vendor.Id).Port, true);
        }
    }

    private static async Task RunStationAsync(IBenchAir air, CloudBench cloud, string? caPath, string workDirectory, Action<string, bool, string> row,
        CancellationToken cancellationToken)
    {
        var wiring = cloud.Wiring;
        var tls = wiring.Tls;
        var plan = new Dictionary<string, object>
        {
            ["resolve"] = wiring.Names.Values.Select(n => n.Host).Distinct(StringComparer.Ordinal).ToList(),
            ["tls"] = tls && caPath is not null
                ? Endpoints(cloud).Select(e => new Dictionary<string, object> { ["host"] = wiring.NameOf(e.ServerId).Host, ["port"] = e.Port, ["ca"] = caPath }).ToList()
                : [],
            ["mqtt"] = Endpoints(cloud).Where(e => e.Mqtt).Select(e =>
            {
                var check = new Dictionary<string, object>
                {
                    ["host"] = wiring.NameOf(e.ServerId).Host, ["port"] = e.Port, ["tls"] = tls,
                    ["clientId"] = cloud.DeviceId, ["user"] = cloud.DeviceId, ["password"] = cloud.SecretFor(e.ServerId),
                };
                if (tls && caPath is not null) check["ca"] = caPath;
                return check;
            }).ToList(),
        };
        var planPath = Path.Combine(workDirectory, "station-plan.json");
        // It holds the device's secrets: the owner alone reads it, from its creation on.
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(planPath, create))
        {
            await JsonSerializer.SerializeAsync(stream, plan, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        var (file, prefix) = NodeExecutable.Resolve();
        var info = new ProcessStartInfo(air.StationCommandPrefix[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var word in air.StationCommandPrefix.Skip(1).Append(file).Concat(prefix)
            .Concat(["station", "--interface", air.StationInterface!, "--plan", planPath]))
        {
            info.ArgumentList.Add(word);
        }
        using var process = ChildProcesses.Start(info);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StationDeadline);
        var seen = 0;
        // Checks the station could not try (no lease: no lookup, no handshake) are one row, with the parts they cover.
        var untried = new List<(string Part, string Reason)>();
        void Untried()
        {
            foreach (var group in untried.GroupBy(u => u.Reason))
            {
                row(string.Join(", ", group.Select(u => u.Part).Distinct()), false, $"{group.Count()} checks not tried: {group.Key}");
            }
            untried.Clear();
        }
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                var pass = line.StartsWith("PASS ", StringComparison.Ordinal);
                if (!pass && !line.StartsWith("FAIL ", StringComparison.Ordinal))
                {
                    continue;
                }
                var rest = line[5..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var part = space < 0 ? rest : rest[..space];
                var detail = space < 0 ? "" : rest[(space + 1)..];
                seen++;
                var notTried = detail.IndexOf(": not tried: ", StringComparison.Ordinal);
                if (!pass && notTried >= 0)
                {
                    untried.Add((part, detail[(notTried + ": not tried: ".Length)..]));
                    continue;
                }
                Untried();
                row(part, pass, detail);
            }
            Untried();
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            row("station", false, $"the station's checks did not end within {StationDeadline.TotalSeconds:0} s");
            return;
        }
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        if (process.ExitCode is not (0 or 1) || seen == 0)
        {
            row("station", false, $"the station on {air.StationInterface} exited {process.ExitCode} after {seen} checks{(errors.Length > 0 ? $": {errors.Split('\n')[^1]}" : "")}");
        }
    }
}
