using System.CommandLine;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using HilRig.Servers.Tls;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig network ...`: the bench network; for now `network ca`, the bench CA for the firmware team's test build.</summary>
internal static partial class NetworkCommands
{
    public static Command Create()
    {
        var bench = new Option<string>("--bench") { Description = "The bench's name (its wiring file's bench: entry)." };
        var wiring = new Option<string>("--wiring") { Description = "A wiring file; its bench: entry names the bench." };
        var directory = new Option<string>("--ca-dir")
        {
            Description = "Where the CA lives (default: $HILRIG_DATA_DIR/benches/NAME/ca, else $XDG_DATA_HOME/hilrig/benches/NAME/ca, else ~/.local/share/hilrig/benches/NAME/ca).",
        };
        var ca = new Command("ca", "Print the bench CA certificate (PEM) for the firmware team's test build; creates the CA when the bench has none and says where it keeps it (stderr).")
        {
            bench, wiring, directory,
        };
        ca.SetAction(result => PrintCa(result.GetValue(bench), result.GetValue(wiring), result.GetValue(directory)));
        return new Command("network", "The bench network: the CA its servers' TLS certificates come from, and the check of its parts.") { ca, CreateCheck() };
    }

    private static readonly string[] Breakable = ["dnsmasq"];

    private static Command CreateCheck()
    {
        var file = new Argument<string>("wiring") { Description = "The bench's wiring file (with network: air:)." };
        var stationCa = new Option<string?>("--ca") { Description = "The CA certificate (PEM) the module's firmware trusts; default: the bench CA. A CA the servers were not signed by fails every TLS part." };
        var caDir = new Option<string?>("--ca-dir") { Description = "Where the bench CA lives (default as for `network ca`)." };
        var breakPart = new Option<string[]>("--break") { Description = "Break a part on purpose after the access point is up, to see the check catch it: dnsmasq." };
        var command = new Command("check", "Prove the bench network part by part: access point, dnsmasq, servers, and from the module's side a DHCP lease, every name, a TLS handshake with each server, each MQTT login.")
        {
            file, stationCa, caDir, breakPart,
        };
        command.SetAction(async (result, token) =>
        {
            var bench = WiringCommands.LoadOrReport(result.GetRequiredValue(file));
            if (bench is null) return 2;
            var broken = result.GetValue(breakPart) ?? [];
            if (broken.FirstOrDefault(b => !Breakable.Contains(b, StringComparer.Ordinal)) is { } unknown)
            {
                await Console.Error.WriteLineAsync($"hilrig network check: --break '{unknown}' is not a part it can break (parts: {string.Join(", ", Breakable)})");
                return 2;
            }
            var ca = result.GetValue(stationCa);
            if (ca is not null && !File.Exists(ca))
            {
                await Console.Error.WriteLineAsync($"hilrig network check: --ca {ca}: no such file");
                return 2;
            }
            var work = Path.Combine(Environment.CurrentDirectory, "artifacts", "network-check", $"{bench.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            Console.WriteLine($"network check of bench '{bench.Name}' ({bench.SourcePath}); logs in {work}");
            var rows = await HilRig.Core.Wifi.NetworkCheck.RunAsync(bench, new HilRig.Core.Wifi.NetworkCheckOptions
            {
                WorkDirectory = work,
                CertificateAuthorityDirectory = result.GetValue(caDir),
                StationCaPath = ca is null ? null : Path.GetFullPath(ca),
                StopDnsmasq = broken.Contains("dnsmasq", StringComparer.Ordinal),
            }, row => Console.WriteLine($"  {row.Part,-13} {(row.Pass ? "PASS" : "FAIL")}  {row.Detail}"), token);
            var failed = rows.Where(r => !r.Pass).ToList();
            Console.WriteLine(failed.Count == 0 ? $"network check: PASS, {rows.Count} parts work"
                : $"network check: FAIL, {failed.Count} of {rows.Count} parts broken ({string.Join(", ", failed.Select(r => r.Part).Distinct())})");
            return failed.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static int PrintCa(string? benchName, string? wiringPath, string? directory)
    {
        if ((benchName is null) == (wiringPath is null))
        {
            Console.Error.WriteLine("hilrig network ca: give the bench as --bench NAME or --wiring FILE (one of them)");
            return 2;
        }
        var tlsOn = true;
        if (wiringPath is not null)
        {
            var wiring = WiringCommands.LoadOrReport(wiringPath);
            if (wiring is null) return 2;
            benchName = wiring.Name;
            tlsOn = wiring.Network?.Tls ?? false;
        }
        if (!BenchName().IsMatch(benchName!))
        {
            Console.Error.WriteLine($"hilrig network ca: --bench '{benchName}' is not a bench name (letters, digits, '.', '_' and '-', 1 to 64, starting with a letter or digit)");
            return 2;
        }
        BenchCertificateAuthority authority;
        try
        {
            authority = BenchCertificateAuthority.LoadOrCreate(directory ?? BenchCertificateAuthority.DefaultDirectory(benchName!), benchName!);
        }
        catch (CertificateAuthorityException ex)
        {
            Console.Error.WriteLine($"hilrig network ca: {ex.Message}");
            return 1;
        }
        Console.Error.WriteLine($"bench CA for '{benchName}' {(authority.Created ? "created" : "kept")} in {authority.Directory} "
            + $"({BenchCertificateAuthority.CertificateFileName}; its key {BenchCertificateAuthority.KeyFileName} is mode 0600 and stays there)");
        Console.Error.WriteLine($"  {authority.Certificate.Subject}, valid until {authority.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}, "
            + $"SHA-256 fingerprint {authority.Certificate.GetCertHashString(HashAlgorithmName.SHA256)}");
        if (!tlsOn)
        {
            Console.Error.WriteLine($"  note: {wiringPath} has no network: tls: true, so its servers do not use this CA yet");
        }
        Console.Out.Write(authority.CertificatePem);
        return 0;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex BenchName();
}
